"""One module per edition; each turns a RenderedIssue and a Theme into bytes or a folder of files."""
