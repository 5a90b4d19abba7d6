"""The Leads tab: imported lead histories, AI analysis cards, CSV/JSON export."""
