"""The Images tab: prompt presets, sizes and counts, generation, the workspace's gallery."""
