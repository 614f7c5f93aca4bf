"""Press-day work around the editions: preview, watch, new issues, the magazine folder, copies for subscribers."""
