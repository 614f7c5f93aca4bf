"""Articles, the editor's note and bios as written (Markdown) -> rendered `Article`s, sanitized HTML with their ids,
images and links resolved."""

from .pieces import render_bios, render_issue_pieces, split_front_matter, text_direction

__all__ = ["render_bios", "render_issue_pieces", "split_front_matter", "text_direction"]
