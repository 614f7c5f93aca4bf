"""A built issue and a subscriber list -> each subscriber's own copy by e-mail (and to their Kindle), once.

`run.send_issue` is the recipe: `settings` checks how to reach the mail
provider, `compose` makes each message from the theme's e-mail layouts,
`smtp` hands it over, and `journal` remembers every outcome so that a run
that stops for any reason resumes without sending anything twice.
"""
