"""Every issue of a magazine -> its website: the issues' web editions, home, archive, contributors, sections, feeds,
an OPDS catalogue, search and downloads, rebuilt incrementally (`issuepress site`, `issuepress serve --site`)."""
