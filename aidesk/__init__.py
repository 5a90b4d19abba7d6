"""AIDesk: a desktop AI workbench for marketing and sales agencies."""

__version__ = "0.1.0"
