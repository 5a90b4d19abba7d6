"""The Chat tab: imported conversations, sentiment, summaries, replies, translation."""
