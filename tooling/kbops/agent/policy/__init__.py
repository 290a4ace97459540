"""The escalation policy: gates as plain code over the ticket, the tier and the cited
articles. `decide.py` says which reasons exist and in what order; the other modules read
one kind of signal each (normalised text, risk topics, injection, the customer's state)."""

from .customer import anger_score
from .decide import PolicyOutcome, TicketSignals, assess_ticket, decide, known_gap
from .normalise import normalise
from .promises import unsafe_promises
from .topics import SEMANTIC_EXAMPLES, Similarity

__all__ = [
    "SEMANTIC_EXAMPLES", "PolicyOutcome", "Similarity", "TicketSignals", "anger_score", "assess_ticket", "decide",
    "known_gap", "normalise", "unsafe_promises",
]
