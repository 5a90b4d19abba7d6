"""Task features built on the router (no Qt): prompt presets and builders for each module."""
