"""The Integrations tab: provider keys, connection tests, models, base URLs, fallback order."""
