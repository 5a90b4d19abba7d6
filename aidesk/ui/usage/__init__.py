"""The Usage tab: charts of the workspace's calls, its limits with their use, and alerts."""
