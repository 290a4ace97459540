"""The weekly report in Markdown: an executive summary first, then the four parts, each
with the ticket ids behind every claim. Ticket text is redacted at import; it is still
escaped here (`md_text`), so a customer's message can neither format nor link anything."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..insights.doc_gaps import DocGap
from ..insights.emerging import EmergingIssue
from ..insights.health import AccountHealth
from ..insights.systemic import ReleaseImpact
from ..insights.volume import VolumeRow
from ..insights.weekly import WeeklyReport
from ..kb.markdown import md_code, md_text
from . import weekly_views as views


def render_weekly_markdown(report: WeeklyReport) -> str:
    blocks = [
        f"# Support intelligence: {md_text(report.period.label)}",
        f"_{md_text(report.period.dates())} · {md_text(views.volume_line(report))} · "
        f"{md_text(views.compared_with(report))}_",
        _summary(report),
        _volume(report),
        _emerging(report),
        _doc_gaps(report),
        _health(report),
        _feedback(report),
        _release_impacts(report.release_impacts),
        _about(report),
    ]
    return "\n\n".join(block for block in blocks if block) + "\n"


def _summary(report: WeeklyReport) -> str:
    flagged = [r for r in report.volume.by_category if r.flagged]
    rising = "; ".join(f"**{md_text(views.rising(r, report))}**" for r in flagged) or "no category"
    lines = [f"- **Volume:** {md_text(views.volume_line(report))}. Rising: {rising}."]
    if report.emerging:
        lines.append(f"- **Emerging issues ({len(report.emerging)}):** "
                     + "; ".join(md_text(views.issue_line(i)) for i in report.emerging[:3])
                     + ("; …" if len(report.emerging) > 3 else "") + ".")
    else:
        lines.append("- **Emerging issues:** none: every cluster of this period's tickets was seen before.")
    gap_tickets = sum(g.tickets for g in report.doc_gaps)
    lines.append(f"- **Documentation gaps:** {views.plural(len(report.doc_gaps), 'question')} the agent answered unsure "
                 f"({gap_tickets} tickets)." if report.doc_gaps else
                 "- **Documentation gaps:** none: the agent answered no recurring question unsure.")
    lines.append(f"- **Customer health:** {md_text(views.health_line(report))}." if report.health else
                 "- **Customer health:** no account shows a risk signal.")
    return "## Summary\n\n" + "\n".join(lines)


def _volume(report: WeeklyReport) -> str:
    unit = views.unit(report)
    average = f"{len(report.prior_periods)}-{unit} avg"
    header = ("category", "this " + unit, unit + " before", average, "change", "vs avg", "flag", "tickets")
    rows = [_volume_row(r) for r in report.volume.by_category]
    severity = [_volume_row(r) for r in report.volume.by_severity]
    head = ("## 1. Volume trends\n\n"
            f"_Flagged: up more than the configured share on the {unit} before, with enough tickets, "
            "and more than chance at the rolling average's rate (Poisson rate test, p < 0.01)._")
    numeric = "|---|---:|---:|---:|---:|---:|---|---|"
    by_severity = "### By severity\n\n" + _table(("severity", *header[1:]), severity, numeric) if severity else ""
    return "\n\n".join(b for b in (head, _table(header, rows, numeric), by_severity) if b)


def _volume_row(row: VolumeRow) -> tuple[str, ...]:
    average = f"{row.rolling_average:.1f}" if row.rolling_average is not None else "–"
    return (md_text(row.name), str(row.this_period), str(row.previous) if row.previous is not None else "–", average,
            views.change(row.change_wow), views.change(row.change_vs_rolling), "**rising**" if row.flagged else "",
            md_text(views.ids(row.ticket_ids, 5)))


def _emerging(report: WeeklyReport) -> str:
    head = "## 2. Emerging issues"
    if not report.emerging:
        return f"{head}\n\n_No new cluster of tickets this {views.unit(report)}._"
    blocks = [head, f"_Clusters of this {views.unit(report)}'s tickets with no match in the "
              f"{len(report.prior_periods)} {views.unit(report)}s before, biggest first._"]
    for number, issue in enumerate(report.emerging[: views.ISSUES_SHOWN], start=1):
        blocks.append(_issue(number, issue, report))
    if len(report.emerging) > views.ISSUES_SHOWN:
        blocks.append(f"… and {len(report.emerging) - views.ISSUES_SHOWN} more (`--format json` lists them all)")
    return "\n\n".join(blocks)


def _issue(number: int, issue: EmergingIssue, report: WeeklyReport) -> str:
    examples = "; ".join(f"{md_text(i)} “{md_text(s)}”" if s else md_text(i) for i, s in issue.examples)
    tiers = ", ".join(f"{md_text(t)} {n}" for t, n in issue.tiers.items())
    release = (f"**yes**: {md_text(issue.release.version)} released {issue.release.date:%b %d} ({md_text(issue.release.source)})"
               + (f": {md_text(issue.release.notes)}" if issue.release.notes else "")) if issue.release else \
        "no release in the window before it"
    lines = [
        f"### 2.{number} {md_text(issue.title)} · {issue.severity.level}",
        "",
        f"- **Problem:** {', '.join(md_code(p) for p in issue.key_phrases) or '–'}; representative: {examples}",
        f"- **Tickets:** {issue.tickets}: {md_text(views.ids(list(issue.ticket_ids), 12))}",
        f"- **Affected customers:** {len(issue.accounts)} accounts (estimated {issue.estimated_accounts} in all, "
        f"counting those who have not written yet); tiers {tiers}; {views.money(issue.monthly_revenue)}",
        f"- **First seen:** {views.day(issue.first_seen)}; peak {issue.peak_24h} tickets in 24 h; "
        f"{md_text(views.prior_line(issue, report))}",
        f"- **Follows a release:** {release}",
        f"- **Recommended severity: {issue.severity.level}** ({issue.severity.points} points): "
        + "; ".join(md_text(r) for r in issue.severity.reasons),
    ]
    return "\n".join(lines)


def _doc_gaps(report: WeeklyReport) -> str:
    head = "## 3. Documentation gaps"
    if not report.doc_gaps:
        return f"{head}\n\n_No question the agent answered with low confidence came up twice._"
    blocks = [head, "_Questions the agent resolved without escalation but with low confidence: the KB barely "
              "covers them. Each comes with an article outline built from the answers given._"]
    for number, gap in enumerate(report.doc_gaps[: views.GAPS_SHOWN], start=1):
        blocks.append(_gap(number, gap))
    return "\n\n".join(blocks)


def _gap(number: int, gap: DocGap) -> str:
    cited = ", ".join(f"{md_code(a)} ({n})" for a, n in gap.cited_articles[:3]) or "none"
    nearest = ", ".join(f"{md_code(a)} {s:.2f}" for a, _, s in gap.nearest_articles) or ""
    lines = [
        f"### 3.{number} “{md_text(gap.question)}”",
        "",
        f"- **Tickets:** {gap.tickets} from {gap.accounts} accounts, mean agent confidence "
        f"{gap.mean_confidence:.2f}: {md_text(views.ids(list(gap.ticket_ids)))}",
        f"- **Key phrases:** {', '.join(md_code(p) for p in gap.key_phrases) or '–'}",
        f"- **Articles the agent cited:** {cited}" + (f"; nearest in the KB: {nearest}" if nearest else ""),
        f"- **Suggested article:** {md_text(gap.outline.title)}",
    ]
    for heading, section in gap.outline.sections:
        items = [line for line in section][:6]
        lines.append(f"  - {md_text(heading)}: " + " ".join(md_text(i) for i in items))
    return "\n".join(lines)


def _health(report: WeeklyReport) -> str:
    head = "## 4. Customer health"
    if not report.health:
        return f"{head}\n\n_No account shows a risk signal in the last {_window(report)}._"
    blocks = [head, f"_Accounts with many tickets, mostly escalated tickets, or a worsening sentiment in the "
              f"last {_window(report)}, most urgent first._"]
    for account in report.health[: views.ACCOUNTS_SHOWN]:
        blocks.append(_account(account))
    if len(report.health) > views.ACCOUNTS_SHOWN:
        blocks.append(f"… and {len(report.health) - views.ACCOUNTS_SHOWN} more (`--format json` lists them all)")
    return "\n\n".join(blocks)


def _window(report: WeeklyReport) -> str:
    return f"{report.health_window_days} days"


def _account(account: AccountHealth) -> str:
    evidence = "\n".join(f"  - {md_text(line)}" for line in account.evidence)
    return "\n".join([
        f"### {md_text(account.account_id)} · {md_text(account.tier)} · {views.money(account.monthly_revenue)} · "
        f"{account.priority} priority",
        "",
        f"- **Signals:** {md_text(views.signals(account.signals))}",
        "- **Evidence:**",
        evidence,
        f"- **Action:** {md_text(account.action)}",
    ])


def _feedback(report: WeeklyReport) -> str:
    head = f"## Help-site feedback\n\n_{md_text(views.feedback_line(report))}._"
    worst = views.unhelpful_articles(report)
    if not worst:
        return head
    rows = [(md_code(a), md_text(p), v, u, r) for a, p, v, u, r in map(views.feedback_row, worst)]
    return (f"{head} Articles readers voted not helpful, most such votes first:\n\n"
            + _table(views.FEEDBACK_HEADER, rows, "|---|---|---:|---:|---:|"))


def _release_impacts(impacts: Sequence[ReleaseImpact]) -> str:
    if not impacts:
        return ""
    blocks = ["## Releases and categories",
              "_Tickets per category in the days after each release against the average of as many days, "
              "repeated, before it._"]
    for impact in impacts:
        rows = [(md_text(s.category), f"{s.before:.1f}", str(s.after), views.change(s.change), "**moved**" if s.moved else "")
                for s in impact.shifts]
        title = (f"### {md_text(impact.release.version)} ({impact.release.date:%b %d}): {impact.window_days:g} days after, "
                 f"against {impact.windows_before} windows before")
        blocks.append(title + "\n\n" + _table(("category", "before (avg)", "after", "change", ""), rows,
                                              "|---|---:|---:|---:|---|"))
    return "\n\n".join(blocks)


def _about(report: WeeklyReport) -> str:
    first, last = report.history_span
    lines = [f"- History: {report.history_tickets} tickets from {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
             f"{report.period_tickets} in {md_text(report.period.label)}."]
    if report.releases:
        lines.append("- Releases near this period: " + ", ".join(
            f"{md_text(r.version)} ({r.date:%Y-%m-%d}, {md_text(r.source)})" for r in report.releases) + ".")
    lines += [f"- {md_text(note)}" for note in report.notes]
    return "## About this report\n\n" + "\n".join(lines)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str | None = None) -> str:
    lines = ["| " + " | ".join(header) + " |", align or "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)
