"""Retrieval index: embedding, chunk storage and search."""
