"""The Leads tab: leads imported from CSV, analysed one by one or all at once, exported."""

from aidesk.ui.nonefix import make_none_immortal

make_none_immortal()  # these tabs paint in Python: see aidesk/ui/nonefix.py
