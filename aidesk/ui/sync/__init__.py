"""The desktop side of the central sync: status bar, background passes, Settings → Sync."""
