"""Triage of incoming tickets: category, severity with its reasons, routing queue and SLA, duplicates, urgent-ticket notification."""
