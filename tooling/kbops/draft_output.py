"""Where drafts go: files in the drafts folder, or a commit on a new branch, plus the
pull-request description that says what each draft closes and what it should gain.

`commit_on_branch` builds the commit from a temporary index file and writes objects only:
the user's branch, index and working tree are never touched, uncommitted work included.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from .drafts import Action, DraftError, DraftPlan
from .gaps import GapReport, deflection_gain
from .markdown_text import md_text


def write_plans(plans: Sequence[DraftPlan], repo_root: Path, drafts_dir: Path) -> list[Path]:
    """New articles into the drafts folder, edits as patches beside them; nothing existing
    is overwritten."""
    from .evaluation import write_atomic

    written = []
    for plan in plans:
        if plan.action is Action.SKIP:
            continue
        target = repo_root / plan.path if plan.action is Action.NEW else drafts_dir / plan.patch_path
        if target.exists():
            raise DraftError(f"{target} already exists: review or remove it, then draft again")
        write_atomic(target, plan.text if plan.action is Action.NEW else plan.patch)
        written.append(target)
    return written


def commit_on_branch(repo_dir: Path, branch: str, plans: Sequence[DraftPlan], message: str) -> str:
    """Commit the plans on a new branch from HEAD; returns the commit sha. Uses a private
    index file and writes objects only: HEAD, the index and the working tree stay as they are."""
    import git

    try:
        repo = git.Repo(repo_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise DraftError(f"{repo_dir} is not inside a git repository: --branch needs one") from exc
    try:
        repo.git.check_ref_format("--branch", branch)
    except git.GitCommandError as exc:
        raise DraftError(f"'{branch}' is not a valid branch name") from exc
    if branch in [head.name for head in repo.heads]:
        raise DraftError(f"branch '{branch}' already exists: choose another name or delete it")
    try:
        base = repo.head.commit
    except ValueError as exc:
        raise DraftError("the repository has no commits yet: commit the KB first") from exc
    from git.objects.commit import Commit
    from gitdb import IStream

    top = Path(repo.working_tree_dir or repo_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="kbops-index-") as folder:
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        repo.git.read_tree(base.hexsha, env=env)
        for plan in plans:
            if plan.action is Action.SKIP:
                continue
            data = plan.text.encode("utf-8")
            blob = repo.odb.store(IStream("blob", len(data), BytesIO(data)))
            path = _repo_path(top, repo_dir, plan.path)
            repo.git.update_index("--add", "--cacheinfo", f"100644,{blob.hexsha.decode()},{path}", env=env)
        tree_sha = repo.git.write_tree(env=env)
    commit = Commit.create_from_tree(repo, repo.tree(tree_sha), message, parent_commits=[base], head=False)
    repo.create_head(branch, commit)
    return commit.hexsha


def _repo_path(top: Path, repo_dir: Path, path: str) -> str:
    """A plan path (relative to the project root) as a path in the repository."""
    return (repo_dir.resolve() / path).relative_to(top).as_posix()


def commit_message(plans: Sequence[DraftPlan]) -> str:
    done = [p for p in plans if p.action is not Action.SKIP]
    head = f"KB gaps: {len(done)} draft{'s' if len(done) != 1 else ''} from escalated tickets"
    lines = [f"- {p.action}: {p.path} ({p.gap.id}: {p.gap.label}; tickets {', '.join(p.source_tickets)})" for p in done]
    return head + "\n\n" + "\n".join(lines) + "\n"


def pr_description(plans: Sequence[DraftPlan], report: GapReport, branch: str | None, base_ref: str) -> str:
    """Markdown for the pull request: what each draft closes and what it should gain."""
    done = [p for p in plans if p.action is not Action.SKIP]
    tickets = sorted({t for p in done for t in p.source_tickets})
    gain = len(tickets) / report.run_tickets if report.run_tickets else 0.0
    lines = [
        f"## KB gaps: {len(done)} draft{'s' if len(done) != 1 else ''} from escalated tickets",
        "",
        f"Drafted by `kbops gaps draft` from eval run `{md_text(report.run_id)}`"
        + (f" (KB `{report.kb_commit[:7]}`)" if report.kb_commit else "") + ". "
        f"Targets {len(tickets)} of {report.run_tickets} replayed tickets: expected deflection gain up to "
        f"**+{gain * 100:.1f} pts** if every targeted ticket is deflected once the drafts are published.",
    ]
    for plan in plans:
        gap = plan.gap
        tiers = ", ".join(f"{tier} {count}" for tier, count in gap.tiers.items())
        examples = "; ".join(f"{md_text(tid)} “{md_text(subject)}”" for tid, subject in gap.examples)
        change = {Action.NEW: f"new draft `{plan.path}`", Action.EDIT: f"edit of `{plan.path}`",
                  Action.SKIP: "nothing (see note)"}[plan.action]
        lines += [
            "",
            f"### {gap.rank}. {md_text(gap.label)} (`{gap.id}`)",
            "",
            f"- **Gap**: {md_text(gap.explain())}",
            f"- **Tickets** ({gap.tickets}, {gap.false_deflections} answered wrongly): {md_text(', '.join(gap.ticket_ids))}",
            f"- **Examples**: {examples}",
            f"- **Customers**: {len(gap.customers)} ({md_text(tiers)}) · impact {gap.impact:g}",
            f"- **Change**: {change}, written by the {md_text(plan.writer)} writer",
            f"- **Expected deflection gain**: up to {deflection_gain(gap)} ({gap.tickets}/{report.run_tickets} tickets)",
        ]
        lines += [f"- ⚠️ {md_text(w)}" for w in plan.warnings]
    lines += [
        "",
        "### Before merging",
        "",
        "- [ ] Rewrite the draft for customers; check every sentence against the product.",
        "- [ ] Set `owner` and `status: published` (lint flags the missing owner until then).",
        f"- [ ] `kbops eval --baseline {md_text(base_ref)}` shows the targeted tickets as deflected.",
        "- [ ] After merging, `kbops gaps protect` keeps them as regression cases of the article.",
    ]
    if branch:
        lines += ["", f"<sub>branch `{md_text(branch)}` · tickets {md_text(', '.join(tickets))}</sub>"]
    return "\n".join(lines) + "\n"
