"""The help site's "Was this helpful?" votes: validated, stored in SQLite, summed per article and period."""
