"""Is a drafted answer correct? Offline grading against the specialist's resolution.

The rule (documented in docs/evals.md):
- the ticket names gold articles: the answer must cite one of them (the strongest signal
  a support team records);
- the ticket names none (`resolved_by_article_ids: []`, what the KB could not answer when
  it was escalated) or the caller wants text evidence: the answer must *say* what the
  specialist said. The score is `SEMANTIC_WEIGHT * cosine(answer, resolution)` (the
  project's embedder) plus the rest times the share of the resolution's content words the
  answer contains (stemmed), and must reach `eval.correctness_threshold`.

The threshold is calibrated by `benchmarks/eval_bench.py` on the shared WixQA and TechQA
sets, where the label is whether the offline answer came from a gold article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..index.embed import Embedder
from ..index.lexical import tokenize

SEMANTIC_WEIGHT = 0.6


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float
    """The similarity score (0..1) of answer and resolution; 0 when there is none."""
    notes: str


def resolution_similarity(answers: Sequence[str], resolutions: Sequence[str], embedder: Embedder) -> list[float]:
    """Similarity of each answer to its resolution, batched through the embedder."""
    pairs = [(a, r) for a, r in zip(answers, resolutions, strict=True)]
    usable = [i for i, (a, r) in enumerate(pairs) if a.strip() and r.strip()]
    scores = [0.0] * len(pairs)
    if not usable:
        return scores
    vectors = embedder.embed([pairs[i][0] for i in usable] + [pairs[i][1] for i in usable])
    answer_vecs, resolution_vecs = vectors[: len(usable)], vectors[len(usable) :]
    cosines = np.sum(answer_vecs * resolution_vecs, axis=1)
    tokens = tokenize([text for i in usable for text in pairs[i]])
    for n, i in enumerate(usable):
        answer_terms, resolution_terms = set(tokens[2 * n]), set(tokens[2 * n + 1])
        recall = len(answer_terms & resolution_terms) / len(resolution_terms) if resolution_terms else 0.0
        cosine = max(0.0, float(cosines[n]))
        scores[i] = round(SEMANTIC_WEIGHT * cosine + (1 - SEMANTIC_WEIGHT) * recall, 4)
    return scores


def grade(
    answer: str,
    cited: Sequence[str],
    gold: Sequence[str],
    similarity: float,
    threshold: float,
    has_resolution: bool,
) -> Grade:
    """Apply the rule above to one answered ticket."""
    if not answer.strip():
        return Grade(False, 0.0, "no answer drafted")
    if gold:
        hit = sorted(set(cited) & set(gold))
        if hit:
            return Grade(True, similarity, f"cites gold article {hit[0]}")
        return Grade(False, similarity, f"cites {', '.join(cited) or 'nothing'}, not gold {', '.join(gold)}")
    if not has_resolution:
        return Grade(False, 0.0, "no gold article and no resolution to check the answer against")
    if similarity >= threshold:
        return Grade(True, similarity, f"matches the resolution (similarity {similarity:.2f} >= {threshold:.2f})")
    return Grade(False, similarity, f"differs from the resolution (similarity {similarity:.2f} < {threshold:.2f})")
