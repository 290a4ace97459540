"""The team's KPIs: deflection, escalations and their reasons, KB contribution, flag-review accuracy, QA pass rate."""
