"""The Chat tab: imported conversations, sentiment, summaries, replies, translation."""

from aidesk.ui.nonefix import make_none_immortal

make_none_immortal()  # these tabs paint in Python: see aidesk/ui/nonefix.py
