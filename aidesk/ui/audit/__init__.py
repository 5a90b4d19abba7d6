"""The Audit tab: every AI call of the workspace, filtered, searched, exported."""
