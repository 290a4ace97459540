"""Hand-off notes to Engineering, Customer Success and Sales, from the escalation package and editable Jinja templates."""
