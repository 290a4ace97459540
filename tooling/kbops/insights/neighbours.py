"""Ticket vectors and the nearest-neighbour counts the emerging-issue test is made of, in
blocks: a week of 10,000 tickets against four prior weeks of 40,000 is 400 million
similarities, never held at once (a block of `BLOCK_ROWS` rows at a time), so memory stays
flat whatever the history's size. Only cosine similarities of unit rows (dot products)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..index.embed import Embedder, unit_rows
from ..tickets.model import Ticket

BLOCK_ROWS = 512
"""Query rows per matrix product: 512 x 40,000 float32 similarities is 80 MB."""


def ticket_text(ticket: Ticket) -> str:
    """What a ticket is about: its subject and the customer's message. Triage embeds its
    `visible_text` instead, so a ticket with hidden text or line breaks has one cached vector
    for each."""
    return ticket.text


def embed_tickets(tickets: Sequence[Ticket], embedder: Embedder) -> np.ndarray:
    """Unit rows, one per ticket, float32."""
    if not tickets:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return unit_rows(np.asarray(embedder.embed([ticket_text(t) for t in tickets]), dtype=np.float32))


def _blocks(rows: int) -> Iterator[slice]:
    for start in range(0, rows, BLOCK_ROWS):
        yield slice(start, min(start + BLOCK_ROWS, rows))


def kth_neighbour_similarity(vectors: np.ndarray, k: int) -> np.ndarray:
    """Per row, the similarity of its k-th most similar other row (-1 when there are fewer
    than k others): the radius that holds a group of k + 1 tickets around it."""
    rows = len(vectors)
    found = np.full(rows, -1.0, dtype=np.float32)
    if rows <= k or k < 1:
        return found
    for block in _blocks(rows):
        sims = vectors[block] @ vectors.T
        sims[np.arange(block.stop - block.start), np.arange(block.start, block.stop)] = -2.0  # not itself
        found[block] = -np.partition(-sims, k - 1, axis=1)[:, k - 1]
    return found


def count_within(queries: np.ndarray, points: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Per query row, how many `points` rows are at least `radii[row]` similar to it."""
    counts = np.zeros(len(queries), dtype=np.int64)
    if len(points) == 0 or len(queries) == 0:
        return counts
    for block in _blocks(len(queries)):
        sims = queries[block] @ points.T
        counts[block] = (sims >= radii[block, None]).sum(axis=1)
    return counts


def centre(vectors: np.ndarray) -> np.ndarray:
    """The unit mean of some unit rows."""
    return unit_rows(vectors.mean(axis=0, keepdims=True))[0]
