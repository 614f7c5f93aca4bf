"""The EPUB 3 edition, and the personalised copies made from it."""
