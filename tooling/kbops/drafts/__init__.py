"""Drafts: the missing article of a gap (or the edit of a failing one), written from the
specialists' resolutions and handed to a specialist as files or a branch."""
