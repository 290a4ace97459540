"""Deflection evals: replay escalated tickets against a KB, grade the answers, compare
with a baseline KB and gate a pull request."""
