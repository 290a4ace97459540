"""Versioned prompt templates (`<version>.md`), read with importlib.resources.

A prompt change is a new file, not an edit: replays record the version they ran with, so
an eval result can always be traced back to the exact words the model saw.
"""
