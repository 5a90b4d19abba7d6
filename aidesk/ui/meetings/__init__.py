"""The Meetings tab: a recording in, its transcript and summary out (aidesk.features.meetings)."""
