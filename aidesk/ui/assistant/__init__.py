"""The Assistant tab: marketing texts from task presets, streamed from the router."""
