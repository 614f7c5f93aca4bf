"""The press-day workflow after the editions are built: delivering them."""
