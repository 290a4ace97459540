"""Where drafts go: files in the drafts folder, or a commit on a new branch (`gitkb`,
which never touches the user's branch, index or working tree), plus the pull-request
description that says what each draft closes and what it should gain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files import write_atomic
from ..gaps.model import Gap, GapReport, deflection_gain
from ..gitkb import GitError, check_branch_name, commit_files_on_branch, current_branch
from ..kb.markdown import md_code, md_text
from ..redact import redacted
from ..tickets.model import Ticket
from .model import DraftAction, DraftError, DraftPlan
from .planner import Drafter


def write_plans(plans: Sequence[DraftPlan], repo_root: Path, drafts_dir: Path) -> list[Path]:
    """New articles into the drafts folder, edits as patches beside them; nothing existing
    is overwritten."""
    written = []
    for plan in plans:
        if plan.action is DraftAction.SKIP:
            continue
        target = repo_root / plan.path if plan.action is DraftAction.NEW else drafts_dir / plan.patch_path
        if target.exists():
            raise DraftError(f"{target} already exists: review or remove it, then draft again")
        write_atomic(target, plan.text if plan.action is DraftAction.NEW else plan.patch)
        written.append(target)
    return written


def commit_message(plans: Sequence[DraftPlan]) -> str:
    """One line per draft: ticket ids and labels are flattened, so a value with a newline
    cannot add a trailer (`Co-authored-by:`) or a paragraph to the commit."""
    done = [p for p in plans if p.action is not DraftAction.SKIP]
    head = f"KB gaps: {len(done)} draft{'s' if len(done) != 1 else ''} from escalated tickets"
    lines = [_one_line(f"- {p.action}: {p.path} ({p.gap.id}: {p.gap.label}; tickets {', '.join(p.source_tickets)})")
             for p in done]
    return head + "\n\n" + "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


def pr_description(plans: Sequence[DraftPlan], report: GapReport, branch: str | None, base_ref: str) -> str:
    """Markdown for the pull request: what each draft closes and what it should gain. Every
    value comes from tickets or the command line, so each is escaped (`md_text`, `md_code`):
    no mention, image, HTML, outside link or heading gets into the PR."""
    done = [p for p in plans if p.action is not DraftAction.SKIP]
    tickets = sorted({t for p in done for t in p.source_tickets})
    gain = len(tickets) / report.run_tickets if report.run_tickets else 0.0
    lines = [
        f"## KB gaps: {len(done)} draft{'s' if len(done) != 1 else ''} from escalated tickets",
        "",
        f"Drafted by `kbops gaps draft` from eval run {md_code(report.run_id)}"
        + (f" (KB {md_code(report.kb_commit[:7])})" if report.kb_commit else "") + ". "
        f"Targets {len(tickets)} of {report.run_tickets} replayed tickets: expected deflection gain up to "
        f"**+{gain * 100:.1f} pts** if every targeted ticket is deflected once the drafts are published.",
    ]
    for plan in plans:
        gap = plan.gap
        tiers = ", ".join(f"{tier} {count}" for tier, count in gap.tiers.items())
        examples = "; ".join(f"{md_text(tid)} “{md_text(redacted(subject))}”" for tid, subject in gap.examples)
        change = {DraftAction.NEW: f"new draft {md_code(plan.path)}", DraftAction.EDIT: f"edit of {md_code(plan.path)}",
                  DraftAction.SKIP: "nothing (see note)"}[plan.action]
        lines += [
            "",
            f"### {gap.rank}. {md_text(redacted(gap.label))} ({md_code(gap.id)})",
            "",
            f"- **Gap**: {md_text(gap.explain())}",
            f"- **Tickets** ({gap.tickets}, {gap.false_deflections} answered wrongly): {md_text(', '.join(gap.ticket_ids))}",
            f"- **Examples**: {examples}",
            f"- **Customers**: {len(gap.customers)} ({md_text(tiers)}) · impact {gap.impact:g}",
            f"- **Change**: {change}, written by the {md_text(plan.writer)} writer",
            f"- **Expected deflection gain**: up to {deflection_gain(gap)} ({gap.tickets}/{report.run_tickets} tickets)",
        ]
        lines += [f"- ⚠️ {md_text(redacted(w))}" for w in plan.warnings]
    lines += [
        "",
        "### Before merging",
        "",
        "- [ ] Rewrite the draft for customers; check every sentence against the product.",
        "- [ ] Set `owner` and `status: published` (lint flags the missing owner until then).",
        f"- [ ] {md_code(f'kbops eval --baseline {base_ref}')} shows the targeted tickets as deflected.",
        "- [ ] After merging, `kbops gaps protect` keeps them as regression cases of the article.",
    ]
    if branch:
        lines += ["", f"<sub>branch {md_code(branch)} · tickets {md_text(', '.join(tickets))}</sub>"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DraftResult:
    """What `kbops gaps draft` did: the plans, and where they went."""

    run_id: str
    plans: tuple[DraftPlan, ...]
    branch: str | None
    commit: str | None
    written: tuple[Path, ...]
    pr_description: str

    @property
    def done(self) -> list[DraftPlan]:
        return [p for p in self.plans if p.action is not DraftAction.SKIP]

    def to_json(self) -> str:
        return json.dumps({
            "run_id": self.run_id,
            "branch": self.branch,
            "commit": self.commit,
            "drafts": [{"gap_id": p.gap.id, "action": str(p.action), "path": p.path, "article_id": p.article_id,
                        "source_tickets": list(p.source_tickets), "writer": p.writer, "warnings": list(p.warnings),
                        "patch": p.patch} for p in self.plans],
            "written": [str(w) for w in self.written],
            "pr_description": self.pr_description,
        }, indent=2)


def draft_gaps(gaps: Sequence[Gap], report: GapReport, tickets: Sequence[Ticket], drafter: Drafter,
               drafts_dir: Path, branch: str | None = None) -> DraftResult:
    """Plan a draft for each gap, then write the files, or commit them on a new `branch`
    from HEAD; the PR description says what each closes."""
    repo_dir = drafter.repo_root
    if branch:
        try:
            check_branch_name(repo_dir, branch)  # before drafting: a bad name costs nothing
        except GitError as exc:
            raise DraftError(str(exc)) from exc
    taken: set[str] = set()
    plans = tuple(drafter.plan(gap, tickets, taken) for gap in gaps)
    commit = None
    written: list[Path] = []
    if branch:
        changes = {p.path: p.text for p in plans if p.action is not DraftAction.SKIP}
        try:
            commit = commit_files_on_branch(repo_dir, branch, changes, commit_message(plans))
        except GitError as exc:
            raise DraftError(str(exc)) from exc
    else:
        written = write_plans(plans, repo_dir, drafts_dir)
    description = pr_description(plans, report, branch, current_branch(repo_dir))
    return DraftResult(report.run_id, plans, branch, commit, tuple(written), description)
