"""The Bulk messages tab: a leads CSV and a brief, one personalised message per lead."""
