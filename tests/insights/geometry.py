"""Hand-made ticket vectors: each topic a direction, each ticket its topic plus a small
deterministic tilt, so tests control exactly which tickets are alike (unit rows, like an
embedder's)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DIM = 48
TILTS = 16
"""Axes 32..47 tilt tickets a little apart within a topic."""


def vector(topic: int, n: int, tilt: float = 0.2) -> np.ndarray:
    row = np.zeros(DIM, dtype=np.float32)
    row[topic] = 1.0
    row[32 + n % TILTS] = tilt
    return row / np.linalg.norm(row)


def rows(topics: Sequence[int]) -> np.ndarray:
    """One vector per entry (the topic of each ticket, in order)."""
    return np.array([vector(topic, n) for n, topic in enumerate(topics)], dtype=np.float32).reshape(len(topics), DIM)
