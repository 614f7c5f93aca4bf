"""issuepress: a magazine issue (YAML manifest + Markdown) -> EPUB 3, print-ready PDF and HTML web edition."""
