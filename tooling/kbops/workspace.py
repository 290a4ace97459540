"""One Workspace per command: everything kbops works on, each thing loaded at most once.

The CLI, tests and benchmarks get their inputs here instead of each stage loading its
own: the KB (working tree, or a git ref), the embedder, the index (brought up to date
once, then opened), the agent, ticket sets and the saved runs. Stages receive these
objects and never load them themselves, so data flows one way.

A baseline is a second Workspace at a git ref: it shares the embedder and the drafting
backend, but has its own KB (read from git objects), its own index under
`.kbops/baselines/<commit>/` and its own metrics, so a baseline's context scores are
measured against the KB at that ref.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

from .agent.agent import Agent, make_answerer
from .agent.decision import Answerer
from .agent.policy.semantic import policy_similarity
from .config import Settings, load_settings
from .drafts.planner import Drafter, make_writer
from .evals.evaluate import WORKING_TREE, EvalOutcome, ReplaySetup, evaluate_repeatedly
from .evals.gate import GateRules
from .evals.history import LATEST, RunStore
from .evals.metrics import RagasMetrics, make_metrics_hook, metrics_wanted
from .evals.runs import EvalRun
from .feedback.stats import ArticleFeedback, feedback_stats
from .feedback.store import FeedbackStore
from .gaps.analysis import analyse_run, save_report
from .gaps.feedback import vote_window
from .gaps.model import GapReport
from .gitkb import KBRevision, kb_revision, keep_state_out_of_git
from .history.store import HistoryStore
from .index.embed import Embedder
from .index.embedders import embedder_for
from .index.indexer import IndexReport
from .index.matrix import ArticleMatrix
from .index.memory_store import LearnReport, TicketMemory, memory_dir
from .index.retriever import Retriever, open_index
from .insights.releases import load_releases
from .insights.weekly import NO_HISTORY, WeeklyReport, build_weekly, history_needed
from .insights.weeks import InsightsError, IsoWeek, period_of
from .kb.loader import load_kb, load_kb_at
from .kb.model import KnowledgeBase
from .kb.provenance import PROVENANCE_FILE, kb_provenance
from .kb.visibility import LiveVisibility
from .kb.voice import load_voice_guide
from .site.model import help_site_hosts
from .tickets.files import read_ticket_file
from .tickets.model import Ticket, TicketError, TicketSet
from .tickets.reviews import read_reviews, review_cases
from .triage.triager import Triager

Notify = Callable[[str], None]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class GapAnalysis:
    """A run's gaps, with the run and the full tickets they were found in."""

    run: EvalRun
    report: GapReport
    tickets: tuple[Ticket, ...]


class Workspace:
    """The project as one command sees it. Pass in pieces (a KB, an embedder, a backend)
    to use them instead of loading them: tests and benchmarks do."""

    def __init__(
        self,
        settings: Settings,
        *,
        kb: KnowledgeBase | None = None,
        revision: KBRevision | None = None,
        label: str = WORKING_TREE,
        embedder: Embedder | None = None,
        answerer: Answerer | None = None,
        notify: Notify | None = None,
        progress: Progress | None = None,
        local_index: bool = False,
        memory: TicketMemory | None = None,
    ) -> None:
        self.settings = settings
        self.label = label
        """`working tree`, or the git ref this workspace's KB was read at."""
        self.notify = notify
        """Where messages for the user go (index rebuilt, eval run first)."""
        self.progress = progress
        """Called with (done, total) while the index embeds chunks."""
        self._local_index = local_index
        self._kb, self._revision, self._embedder, self._answerer = kb, revision, embedder, answerer
        self._memory = memory
        self._retriever: Retriever | None = None
        self._index_report: IndexReport | None = None
        self._tickets: dict[tuple[Any, ...], TicketSet] = {}
        self._baselines: dict[str, Workspace] = {}
        self._stale_reported: set[str] = set()

    @classmethod
    def open(cls, config: Path | None = None, kb_dir: Path | None = None, backend: str | None = None,
             **options: Any) -> Workspace:
        """The project around the current folder (or `config`), as the command line names it."""
        settings = load_settings(config)
        if kb_dir is not None:
            settings = settings.with_changes(kb={"path": str(kb_dir.resolve())})
        if backend is not None:
            settings = settings.with_changes(agent={"backend": backend})
        return cls(settings, **options)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop what a workspace started (the metrics' event loop), baselines included."""
        for baseline in self._baselines.values():
            baseline.close()
        metrics = self.__dict__.get("metrics")
        if isinstance(metrics, RagasMetrics):
            metrics.close()
        history = self.__dict__.get("history")
        if isinstance(history, HistoryStore):
            history.close()

    # ------------------------------------------------------------ the KB and its index

    @cached_property
    def kb(self) -> KnowledgeBase:
        return self._kb or load_kb(self.settings)

    @cached_property
    def revision(self) -> KBRevision:
        """The commit the KB is at (and whether it has uncommitted edits)."""
        return self._revision or kb_revision(self.settings.kb_dir)

    @cached_property
    def embedder(self) -> Embedder:
        """The configured model behind the shared embedding cache; one per command, used
        for retrieval, grading, metrics and gaps alike."""
        return self._embedder or embedder_for(self.settings, self.notify)

    def update_index(self, rebuild: bool = False, *, announce: bool = True) -> IndexReport:
        """Bring the index up to date with the KB and open it; done once per workspace
        (again only when `rebuild` is asked for). `announce` says so when a missing or
        broken index has to be built from scratch (not wanted by `kbops index` itself)."""
        if self._index_report is None or rebuild:
            self._retriever, self._index_report = open_index(
                self.settings, self.kb, self.embedder, self.revision, rebuild=rebuild,
                server=not self._local_index, notify=self.notify if announce else None, progress=self.progress,
            )
            keep_state_out_of_git(self.settings.root, self._state_paths())
        return self._index_report

    def _state_paths(self) -> tuple[Path | None, ...]:
        """Where this workspace writes state (index, embedding cache, runs, baselines)."""
        settings = self.settings
        return (settings.index_dir, settings.embedding_cache_path, settings.runs_dir,
                settings.root / settings.eval.baselines_dir, memory_dir(settings))

    @property
    def index(self) -> Retriever:
        """The index, searched with this workspace's ticket memory."""
        self.update_index()
        assert self._retriever is not None
        if self._retriever.memory is None:
            self._retriever.memory = self.memory
        return self._retriever

    # ------------------------------------------------------------ ticket memory

    @cached_property
    def memory(self) -> TicketMemory:
        """Resolved tickets as routes to their articles (`kbops learn`), opened once with the
        shared embedder; empty until something was learned. A baseline shares it."""
        return self._memory or TicketMemory.open(self.settings, self.embedder, self.notify)

    def learn(self, tickets: Sequence[Ticket], prune: bool = False, progress: Progress | None = None) -> LearnReport:
        """`kbops learn`: add the resolved tickets to memory (only new or changed ones are embedded)."""
        report = self.memory.learn(tickets, prune, progress)
        keep_state_out_of_git(self.settings.root, self._state_paths())
        return report

    @cached_property
    def article_matrix(self) -> ArticleMatrix:
        """Every chunk of every article (all audiences) as vectors, for gaps and drafts."""
        return ArticleMatrix.build(self.kb.articles, self.embedder)

    # ------------------------------------------------------------ the agent

    @cached_property
    def answerer(self) -> Answerer:
        guide = load_voice_guide(self.settings.kb_dir, self.settings.agent.voice_guide)  # once per workspace
        return self._answerer or make_answerer(self.settings, guide)

    @cached_property
    def agent(self) -> Agent:
        """The answering agent over this KB: cites only what is public now (the working tree's
        files are looked at again before citing), says when the index was stale, and lets
        replies link the help site."""
        visible = LiveVisibility(self.kb, self.settings) if self.label == WORKING_TREE and self._kb is None else None
        return Agent(self.settings, self.index, self.answerer, self.kb.by_id(), policy_similarity(self.settings.policy),
                     visible=visible, on_stale=self._stale_article, help_site_hosts=help_site_hosts(self.settings),
                     provenance=kb_provenance(self.kb, self.settings.index_dir.parent / PROVENANCE_FILE, self.notify)
                     if self.label == WORKING_TREE else None)  # who last changed each cited section

    def _stale_article(self, article_id: str) -> None:
        """An article the index offered is no longer public: say so once, never cite it."""
        if article_id in self._stale_reported:
            return
        self._stale_reported.add(article_id)
        if self.notify:
            self.notify(f"the index is stale: article '{article_id}' is no longer public and published, so it "
                        "was not cited; run `kbops index` (every command brings the index up to date when it starts)")

    # ------------------------------------------------------------ tickets and runs

    def ticket_path(self, path: Path | None = None) -> Path:
        """`path`, or the configured `eval.tickets`."""
        return Path(path) if path is not None else self.settings.root / self.settings.eval.tickets

    def display_path(self, path: Path) -> str:
        """A path as runs record it: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.settings.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def tickets(self, path: Path | None = None, *, strict: bool = False, format: str | None = None,
                columns: Mapping[str, str] | None = None) -> TicketSet:
        """A ticket file read once; TicketError when nothing in it is usable."""
        path = self.ticket_path(path)
        key = (path.resolve(), strict, format, tuple(sorted((columns or {}).items())))
        if key not in self._tickets:
            found = read_ticket_file(path, self.settings.eval, strict, format, columns)
            if not found.tickets:
                problems = "; ".join(p.render() for p in found.problems[:3])
                raise TicketError(f"{path}: no usable tickets{': ' + problems if problems else ''}")
            if self.settings.review.replay and path.resolve() == self.ticket_path().resolve():
                found = self._with_review_cases(found, strict)
            self._tickets[key] = found
        return self._tickets[key]

    def _with_review_cases(self, found: TicketSet, strict: bool) -> TicketSet:
        """The eval tickets plus the review log's cases (docs/reviews.md): a case replaces the
        ticket with its id; the log's bad lines are problems like the ticket file's."""
        log = read_reviews(self.settings.root / self.settings.review.path)
        if strict and log.problems:
            raise TicketError(log.problems[0].render())
        cases = {case.id: case for case in review_cases(log.reviews)}
        tickets = tuple(cases.pop(t.id, t) for t in found.tickets) + tuple(cases.values())
        return TicketSet(tickets, found.problems + log.problems)

    def tickets_of(self, run: EvalRun) -> tuple[Path, TicketSet]:
        """The ticket file a run replayed, and its tickets as they are now."""
        path = Path(run.tickets_file) if run.tickets_file else self.ticket_path()
        path = path if path.is_absolute() else self.settings.root / path
        return path, self.tickets(path)

    @cached_property
    def runs(self) -> RunStore:
        return RunStore(self.settings.runs_dir, self.notify, self.settings.root)

    @cached_property
    def history(self) -> HistoryStore:
        """The ticket history (`[history] path`), opened once per command and closed with
        the workspace; created empty when missing. Imported text is redacted when
        `redaction.enabled` says so."""
        return HistoryStore.open(self.settings.history_path, redact=self.settings.redaction.enabled,
                                 notify=self.notify)

    def triager(self) -> Triager:
        """`kbops triage` over this project's ticket history; the fitted category model is
        cached in `triage/` beside the history file."""
        return Triager(self.settings, self.embedder, self.history,
                       cache_dir=self.settings.history_path.parent / "triage", notify=self.notify)

    # ------------------------------------------------------------ replaying

    @cached_property
    def metrics(self) -> RagasMetrics | None:
        """Ragas metrics over this workspace's own KB (None when `ragas.enabled` is off)."""
        if not metrics_wanted(self.settings):
            return None
        return make_metrics_hook(self.settings, self.kb.by_id(), self.embedder)

    def at_ref(self, ref: str) -> Workspace:
        """The KB as it is at git `ref`, as a baseline workspace (made once per ref)."""
        if ref not in self._baselines:
            kb, commit = load_kb_at(self.settings, ref)
            cache = (self.settings.root / self.settings.eval.baselines_dir / commit).resolve()
            settings = self.settings.with_changes(index={"path": str(cache / "index"), "chroma_url": ""})
            self._baselines[ref] = Workspace(
                settings, kb=kb, revision=KBRevision(commit, False), label=ref, embedder=self.embedder,
                answerer=self.answerer, notify=self.notify, progress=self.progress, local_index=True,
                memory=self.memory,
            )
        return self._baselines[ref]

    def replay_setup(self) -> ReplaySetup:
        """What a replay against this workspace's KB needs: the working tree's is resumable,
        a baseline's finished offline runs are cached per commit."""
        baseline = self.label != WORKING_TREE
        workers = self.settings.eval.workers or (1 if self.answerer.name == "offline"
                                                 else self.settings.claude.max_concurrency)
        return ReplaySetup(
            agent=self.agent, embedder=self.embedder, revision=self.revision, label=self.label,
            threshold=self.settings.eval.correctness_threshold, workers=workers, metrics=self.metrics,
            checkpoint=None if baseline else self.runs.checkpoint,
            run_cache=self.settings.index_dir.parent if baseline else None, notify=self.notify,
        )

    def evaluate(
        self,
        tickets: Path | None = None,
        baseline: str | None = None,
        gate: GateRules | None = None,
        *,
        repeat: int = 1,
        pass_rate: float = 1.0,
        resume: bool = False,
        strict: bool = False,
        ticket_format: str | None = None,
        columns: Mapping[str, str] | None = None,
        progress: Progress | None = None,
        on_repeat: Callable[[int], None] | None = None,
        batch: bool = False,
    ) -> EvalOutcome:
        """`kbops eval`: replay the tickets here (and at `baseline`), gate, save the runs."""
        path = self.ticket_path(tickets)
        ticket_set = self.tickets(path, strict=strict, format=ticket_format, columns=columns)
        base = self.at_ref(baseline).replay_setup() if baseline else None
        return evaluate_repeatedly(self.replay_setup(), ticket_set, self.display_path(path), self.runs, base, gate,
                                   repeat, pass_rate, resume, progress, on_repeat, batch)

    def run(self, run_id: str = LATEST, progress: Progress | None = None) -> EvalRun:
        """A saved run by id or `latest`; with no run yet, `latest` replays the configured
        tickets first (saying so)."""
        if run_id == LATEST and self.runs.latest() is None:
            if self.notify:
                self.notify("no eval run yet: running `kbops eval` first")
            return self.evaluate(progress=progress).run
        return self.runs.find(run_id)

    # ------------------------------------------------------------ gaps and drafts

    def gap_analysis(self, run: EvalRun) -> GapAnalysis:
        """The run's gaps, kept beside the run so its eval report can group them by topic."""
        _, ticket_set = self.tickets_of(run)
        report = analyse_run(run, ticket_set.tickets, self.article_matrix, self.embedder, self.settings.gaps,
                             feedback=self.feedback_stats(*vote_window(run.created_at)),
                             feedback_settings=self.settings.feedback)
        save_report(report, self.runs.folder, self.notify)
        return GapAnalysis(run, report, ticket_set.tickets)

    def feedback_stats(self, since: datetime | None, until: datetime | None) -> list[ArticleFeedback]:
        """Help-site votes per article received in [since, until); none without a store."""
        path = self.settings.root / self.settings.feedback.path
        if not path.is_file():
            return []
        with FeedbackStore.open(path, self.notify) as store:
            return feedback_stats(store, since, until)

    def drafter(self, writer: str = "auto") -> Drafter:
        """Plans drafts with the chosen writer (`auto` follows `agent.backend`)."""
        main, fallback = make_writer(self.settings, self.embedder, writer)
        return Drafter(self.settings, self.article_matrix, self.embedder, main, self.kb.base, fallback)

    @property
    def drafts_dir(self) -> Path:
        return self.settings.root / self.settings.gaps.drafts_dir

    # ------------------------------------------------------------ the weekly report

    def weekly_report(self, week: str | None = None, period: str = "week") -> WeeklyReport:
        """`kbops report weekly`: the ISO week `week` (default: the newest ticket's) read from
        the ticket history, only as far back as the report looks."""
        span = self.history.span()
        if span is None:
            raise InsightsError(NO_HISTORY)
        chosen = IsoWeek.parse(week) if week else IsoWeek.containing(span[1])
        needed = period_of(chosen, period)
        tickets = self.history.tickets(since=history_needed(needed, self.settings), until=needed.end)
        return build_weekly(tickets, week=chosen, settings=self.settings, embedder=self.embedder,
                            releases=load_releases(self.settings, self.settings.root),
                            kb=self.kb if self.settings.kb_dir.is_dir() else None, period=period,
                            history_span=span, history_size=self.history.count(),
                            feedback=self.feedback_stats(needed.start, needed.end))
