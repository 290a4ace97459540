"""Ragas metrics for `kbops eval`: a few numbers per ticket, offline unless Claude may judge.

`make_metrics_hook(settings, articles, embedder)` returns the `MetricsHook` that `replay`
calls after each decision; the reference contexts are the given KB's own sections, so a
baseline's hook scores against the KB at the baseline ref. A metric is emitted for a ticket only when it is defined there (an escalated
ticket has no answer to compare, a ticket without gold articles has no reference
context), because `runs.summarize` averages each metric over the tickets that have it.

- Citations vs gold articles (ragas' ID-based context recall / precision): did the draft
  cite the articles the specialist named?
- Retrieved sections vs the gold articles' sections (ragas' non-LLM context recall /
  precision with reference, Levenshtein matching): did retrieval surface them, how high?
- Answer vs resolution: ROUGE-L, Levenshtein string similarity, and cosine similarity
  with the project's own embedder (no model is downloaded).
- With Claude as judge (`ragas.llm_metrics`): factual correctness against the
  resolution, answer relevancy to the ticket, faithfulness to the retrieved sections.

ragas takes seconds to import and sends usage telemetry unless RAGAS_DO_NOT_TRACK is
"true" ("1" does not count): it is imported once per process, inside `make_metrics_hook`, after forcing that
variable (tickets are customer data). Everything sent to Claude is redacted first.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import threading
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from ..agent.agent import choose_backend
from ..agent.decision import Action, Decision
from ..config import RAGAS_LLM_METRICS, ClaudeSettings, Settings
from ..errors import KbopsError
from ..index.embed import Embedder
from ..kb.chunking import chunk_article
from ..kb.model import Article
from ..llm.claude import API_KEY_ENV, MissingAPIKey, api_key, async_client
from ..redact import redact
from ..tickets.model import Ticket

log = logging.getLogger(__name__)

DO_NOT_TRACK_ENV = "RAGAS_DO_NOT_TRACK"
SAMPLING_ARGS = ("temperature", "top_p", "top_k")
"""Dropped from every judge request (ragas sends temperature and top_p): the installed
anthropic SDK's `messages.create` no longer takes them, and the API rejects the pair on
Sonnet 4.5+ and any of them on Opus 4.7+."""
JUDGE_MAX_TOKENS = 4096
"""Room for the structured verdicts (claims, statements and reasons) of a long reply."""
DIGITS = 4


@functools.cache
def load_ragas() -> SimpleNamespace:
    """Import ragas once per process, with its telemetry off (the env var must say "true")."""
    os.environ[DO_NOT_TRACK_ENV] = "true"
    try:
        return _import_ragas()
    except ImportError as exc:
        raise KbopsError(
            f"ragas could not be imported ({exc}); run `make setup` again, "
            "or set ragas.enabled = false in kbops.toml to evaluate without its metrics"
        ) from exc


def _import_ragas() -> SimpleNamespace:
    with warnings.catch_warnings():
        # ragas 0.4 warns that these classes will move to `ragas.metrics.collections`;
        # the ID-based and non-LLM context metrics are not there yet.
        warnings.simplefilter("ignore", DeprecationWarning)
        # lazy: ragas takes seconds to import and must see RAGAS_DO_NOT_TRACK first
        from ragas import _analytics
        from ragas.dataset_schema import SingleTurnSample
        from ragas.embeddings.base import BaseRagasEmbedding
        from ragas.llms import llm_factory
        from ragas.metrics import (
            IDBasedContextPrecision,
            IDBasedContextRecall,
            NonLLMContextPrecisionWithReference,
            NonLLMContextRecall,
        )
        from ragas.metrics.collections import (
            AnswerRelevancy,
            FactualCorrectness,
            Faithfulness,
            NonLLMStringSimilarity,
            RougeScore,
            SemanticSimilarity,
        )
    _analytics.do_not_track.cache_clear()  # in case anything read it before we set it
    if not _analytics.do_not_track():  # cached from now on: later changes are ignored
        raise KbopsError(f"ragas telemetry could not be turned off ({DO_NOT_TRACK_ENV})")

    class ProjectEmbeddings(BaseRagasEmbedding):
        """The project's embedder (offline MiniLM by default) behind ragas' interface."""

        def __init__(self, embedder: Embedder) -> None:
            super().__init__()
            self.embedder = embedder

        def embed_text(self, text: str, **kwargs: Any) -> list[float]:
            return self.embedder.embed([text])[0].tolist()

        async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
            return self.embed_text(text)

        def embed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
            return self.embedder.embed(list(texts)).tolist()

        async def aembed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
            return self.embed_texts(texts)

    return SimpleNamespace(
        SingleTurnSample=SingleTurnSample,
        ProjectEmbeddings=ProjectEmbeddings,
        llm_factory=llm_factory,
        IDBasedContextRecall=IDBasedContextRecall,
        IDBasedContextPrecision=IDBasedContextPrecision,
        NonLLMContextRecall=NonLLMContextRecall,
        NonLLMContextPrecisionWithReference=NonLLMContextPrecisionWithReference,
        RougeScore=RougeScore,
        NonLLMStringSimilarity=NonLLMStringSimilarity,
        SemanticSimilarity=SemanticSimilarity,
        FactualCorrectness=FactualCorrectness,
        AnswerRelevancy=AnswerRelevancy,
        Faithfulness=Faithfulness,
    )


def llm_metrics_allowed(settings: Settings, explicit_key: str | None = None) -> bool:
    """Whether Claude judges: `on` needs a key, `auto` follows the agent backend, `off` never."""
    mode = settings.ragas.llm_metrics
    if mode == "off" or not set(settings.ragas.metrics) & set(RAGAS_LLM_METRICS):
        return False
    key = api_key(explicit_key)
    if mode == "on" and not key:
        raise MissingAPIKey(
            f"ragas.llm_metrics = \"on\" needs an Anthropic API key: set {API_KEY_ENV}, "
            "or set ragas.llm_metrics to \"auto\" or \"off\" in kbops.toml"
        )
    return bool(key) and (mode == "on" or choose_backend(settings) == "claude")


def make_judge(settings: ClaudeSettings, key: str) -> Any:
    """A ragas LLM on the same model, endpoint, timeout and retries as the Claude backend."""
    llm = load_ragas().llm_factory(
        settings.model, provider="anthropic", client=async_client(settings, key), max_tokens=JUDGE_MAX_TOKENS
    )
    for name in SAMPLING_ARGS:
        llm.model_args.pop(name, None)
    # instructor logs an ERROR for every failed attempt; RagasMetrics reports a failing
    # metric once instead of once per ticket in the middle of the progress bar
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    return llm


def metrics_wanted(settings: Settings) -> bool:
    """`ragas.enabled`, with at least one metric chosen."""
    return settings.ragas.enabled and bool(settings.ragas.metrics)


def make_metrics_hook(
    settings: Settings, articles: Mapping[str, Article], embedder: Embedder, explicit_key: str | None = None
) -> RagasMetrics | None:
    """The eval's per-ticket metrics over this KB's `articles`, or None when `ragas.enabled`
    is false (or no metric is chosen). Raises MissingAPIKey when `ragas.llm_metrics = "on"`
    and no key is set."""
    if not metrics_wanted(settings):
        return None
    judge = None
    if llm_metrics_allowed(settings, explicit_key):
        judge = make_judge(settings.claude, api_key(explicit_key))
    return RagasMetrics(settings, embedder, GoldSections(articles), judge)


class GoldSections:
    """A KB's sections of each gold article: the reference contexts (chunked on first use)."""

    def __init__(self, articles: Mapping[str, Article]) -> None:
        self._articles = articles
        self._texts: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def texts(self, article_ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        with self._lock:
            for aid in dict.fromkeys(article_ids):
                if aid not in self._texts:
                    article = self._articles.get(aid)
                    chunks = chunk_article(article) if article is not None else []
                    self._texts[aid] = tuple(c.text for c in chunks if c.text.strip())
                found += self._texts[aid]
        return found


class _LoopThread:
    """One event loop in a daemon thread. The judge's async HTTP client lives on it, and
    replay's worker threads can all submit to it (an asyncio.run per call would bind the
    client to a loop that is then closed)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kbops-ragas", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


class RagasMetrics:
    """The hook: `metrics(ticket, decision) -> {name: value}`, only the defined metrics."""

    def __init__(self, settings: Settings, embedder: Embedder, gold: GoldSections, judge: Any | None = None) -> None:
        r = load_ragas()
        self.settings = settings
        self.judge = judge
        llm_only = () if judge is not None else RAGAS_LLM_METRICS
        self.names = tuple(n for n in settings.ragas.metrics if n not in llm_only)
        """The metrics this hook can emit (the Claude-judged ones only with a judge)."""
        self.gold = gold
        self._sample = r.SingleTurnSample
        embeddings = r.ProjectEmbeddings(embedder)
        self.id_recall = r.IDBasedContextRecall()
        self.id_precision = r.IDBasedContextPrecision()
        self.context_recall = r.NonLLMContextRecall()
        self.context_precision = r.NonLLMContextPrecisionWithReference()
        self.rouge = r.RougeScore(rouge_type="rougeL", mode="fmeasure")
        self.string_similarity = r.NonLLMStringSimilarity()
        self.semantic_similarity = r.SemanticSimilarity(embeddings=embeddings)
        if judge is not None:
            self.factual_correctness = r.FactualCorrectness(llm=judge)
            self.answer_relevancy = r.AnswerRelevancy(llm=judge, embeddings=embeddings)
            self.faithfulness = r.Faithfulness(llm=judge)
        self._loop: _LoopThread | None = None
        self._loop_lock = threading.Lock()
        self._warned: set[str] = set()

    def __call__(self, ticket: Ticket, decision: Decision) -> dict[str, float]:
        jobs = {name: job for name, job in self.jobs(ticket, decision).items() if name in self.names}
        if not jobs:
            return {}
        outcomes = self._runner().run(_gather(jobs))
        values: dict[str, float] = {}
        for name, outcome in outcomes.items():
            if isinstance(outcome, BaseException):
                self._warn(name, ticket.id, outcome)
                continue
            value = float(getattr(outcome, "value", outcome))
            if math.isfinite(value):
                values[name] = round(value, DIGITS)
        return values

    def jobs(self, ticket: Ticket, decision: Decision) -> dict[str, Callable[[], Awaitable[Any]]]:
        """What is defined for this ticket, as coroutine factories keyed by metric name."""
        sample = self._sample
        jobs: dict[str, Callable[[], Awaitable[Any]]] = {}
        gold_ids = list(ticket.resolved_by_article_ids)
        cited_ids = list(dict.fromkeys(c.article_id for c in decision.citations))
        if gold_ids and cited_ids:
            ids = sample(retrieved_context_ids=cited_ids, reference_context_ids=gold_ids)
            jobs["context_recall_ids"] = lambda: self.id_recall.single_turn_ascore(ids)
            jobs["context_precision_ids"] = lambda: self.id_precision.single_turn_ascore(ids)
        retrieved = [e.text for e in decision.evidence if e.text.strip()]
        if gold_ids and retrieved and {"context_recall", "context_precision"} & set(self.names):
            reference = self.gold.texts(gold_ids)
            if reference:
                contexts = sample(retrieved_contexts=retrieved, reference_contexts=reference)
                jobs["context_recall"] = lambda: self.context_recall.single_turn_ascore(contexts)
                jobs["context_precision"] = lambda: self.context_precision.single_turn_ascore(contexts)
        reply, resolution = decision.reply.strip(), ticket.resolution.strip()
        if decision.action is not Action.ANSWER or not reply:
            return jobs
        if resolution:
            # unstripped, as grading embedded them: the embedding cache already has both
            pair = {"reference": ticket.resolution, "response": decision.reply}
            jobs["rouge_l"] = lambda: self.rouge.ascore(**pair)
            jobs["string_similarity"] = lambda: self.string_similarity.ascore(**pair)
            jobs["semantic_similarity"] = lambda: self.semantic_similarity.ascore(**pair)
        if self.judge is not None:
            jobs.update(self._judged(ticket, reply, resolution, retrieved))
        return jobs

    def _judged(
        self, ticket: Ticket, reply: str, resolution: str, retrieved: list[str]
    ) -> dict[str, Callable[[], Awaitable[Any]]]:
        """The Claude-judged metrics, on redacted text only."""
        private = self._private
        question, response = private(ticket.text), private(reply)
        jobs: dict[str, Callable[[], Awaitable[Any]]] = {
            "answer_relevancy": lambda: self.answer_relevancy.ascore(user_input=question, response=response)
        }
        if resolution:
            reference = private(resolution)
            jobs["factual_correctness"] = lambda: self.factual_correctness.ascore(
                response=response, reference=reference
            )
        if retrieved:
            contexts = [private(text) for text in retrieved]
            jobs["faithfulness"] = lambda: self.faithfulness.ascore(
                user_input=question, response=response, retrieved_contexts=contexts
            )
        return jobs

    def _private(self, text: str) -> str:
        return redact(text).text if self.settings.redaction.enabled else text

    def _runner(self) -> _LoopThread:
        with self._loop_lock:
            if self._loop is None:
                self._loop = _LoopThread()
            return self._loop

    def _warn(self, name: str, ticket_id: str, error: BaseException) -> None:
        """One warning per metric (a rate-limited judge fails on every ticket), then debug."""
        message = "metric %s failed on ticket %s (%s: %s); left out for this ticket"
        level = logging.DEBUG if name in self._warned else logging.WARNING
        self._warned.add(name)
        log.log(level, message, name, ticket_id, type(error).__name__, str(error)[:200])

    def close(self) -> None:
        """Stop the event loop thread when done with the hook (a CLI process may just exit:
        the thread is a daemon)."""
        with self._loop_lock:
            if self._loop is not None:
                self._loop.close()
                self._loop = None


async def _gather(jobs: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, Any]:
    """Run one ticket's metrics concurrently; an exception is a value, not a crash."""
    outcomes = await asyncio.gather(*(job() for job in jobs.values()), return_exceptions=True)
    return dict(zip(jobs, outcomes, strict=True))
