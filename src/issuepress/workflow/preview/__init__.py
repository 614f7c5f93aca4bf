"""`issuepress serve`: an issue previewed in a browser, rebuilt and reloaded as its files change."""
