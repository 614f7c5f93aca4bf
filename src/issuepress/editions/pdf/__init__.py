"""The print-ready PDF and the screen PDF: parts laid out by WeasyPrint in parallel, then assembled."""
