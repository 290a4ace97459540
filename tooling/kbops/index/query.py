"""What a search asks for: whose articles it may see, and which rankings it uses.

Kept apart from the retriever so the command line can name these choices without loading
the index's libraries."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    CUSTOMER = "customer"
    """Public, published articles only: what a customer may be shown."""
    INTERNAL = "internal"
    """Every article, for specialists."""


class Method(StrEnum):
    HYBRID = "hybrid"
    LEXICAL = "lexical"
    DENSE = "dense"
