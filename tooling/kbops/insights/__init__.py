"""Support intelligence: what the ticket history says this week (volume, emerging issues, documentation gaps, customer health)."""
