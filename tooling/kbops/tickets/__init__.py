"""Escalated tickets: the Ticket model and the readers of every supported file format."""
