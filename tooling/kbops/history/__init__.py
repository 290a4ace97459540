"""Ticket history: every imported ticket in one DuckDB file, for triage and the weekly report."""
