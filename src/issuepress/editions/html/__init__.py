"""The HTML web edition."""
