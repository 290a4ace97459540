"""Triage of incoming tickets: category (and, to come, severity, routing, duplicates)."""
