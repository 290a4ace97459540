"""What the weekly report's Markdown and HTML say the same way: numbers as words, the
summary lines, and the caps on long lists (so both formats cannot disagree)."""

from __future__ import annotations

from datetime import datetime

from ..feedback.stats import ArticleFeedback
from ..insights.emerging import EmergingIssue
from ..insights.volume import VolumeRow
from ..insights.weekly import WeeklyReport

ISSUES_SHOWN = 10
GAPS_SHOWN = 10
ACCOUNTS_SHOWN = 15
FEEDBACK_SHOWN = 10
IDS_SHOWN = 8
SIGNAL_LABELS = {
    "escalations": "escalations",
    "negative_sentiment": "negative sentiment trend",
    "ticket_volume": "many tickets",
}


def change(value: float | None) -> str:
    """`+54%`, `-3%`, or `new` when there was nothing to compare with."""
    return "new" if value is None else f"{value * 100:+.0f}%"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def money(value: float | None) -> str:
    return f"{value:,.0f}/month" if value is not None else "revenue unknown"


def day(moment: datetime) -> str:
    return f"{moment:%a %b %d, %H:%M} UTC"


def ids(values: tuple[str, ...] | list[str], limit: int = IDS_SHOWN) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" … (+{len(values) - limit})" if len(values) > limit else "")


def unit(report: WeeklyReport) -> str:
    """`week` or `month`: how the report names its period."""
    return report.period.kind


def compared_with(report: WeeklyReport) -> str:
    count = len(report.prior_periods)
    if not count:
        return "no earlier weeks in the history to compare with"
    return f"compared with the {count} {unit(report)}{'s' if count > 1 else ''} before " \
           f"({report.prior_periods[0].label} to {report.prior_periods[-1].label})"


def volume_line(report: WeeklyReport) -> str:
    total = report.volume.total
    parts = [f"{total.this_period} tickets"]
    if total.previous is not None:
        parts.append(f"{change(total.change_wow)} on the {unit(report)} before ({total.previous})")
    if total.rolling_average is not None:
        parts.append(f"{change(total.change_vs_rolling)} on the {len(total.history)}-{unit(report)} average "
                     f"({total.rolling_average:.0f})")
    return ", ".join(parts)


def rising(row: VolumeRow, report: WeeklyReport) -> str:
    """`billing 18 (6 the week before, +200%)`."""
    return f"{row.name} {row.this_period} ({row.previous} the {unit(report)} before, {change(row.change_wow)})"


def issue_line(issue: EmergingIssue) -> str:
    """One sentence: what, how big, since when, after what, how urgent."""
    after = f", after release {issue.release.version} ({issue.release.date:%b %d})" if issue.release else ""
    return (f"{issue.title}: {issue.tickets} tickets from {len(issue.accounts)} accounts since "
            f"{issue.first_seen:%b %d}{after}; recommended {issue.severity.level}")


def prior_line(issue: EmergingIssue, report: WeeklyReport) -> str:
    if not issue.prior_tickets:
        return f"none like it in the {issue.prior_periods} {unit(report)}s before"
    return f"{issue.prior_tickets} like it in the {issue.prior_periods} {unit(report)}s before"


def health_line(report: WeeklyReport) -> str:
    """`5 accounts need outreach now, 3 within days, 12 to watch` (by priority)."""
    count = {p: sum(h.priority == p for h in report.health) for p in ("high", "medium", "low")}
    parts = [f"{plural(count['high'], 'account')} need{'s' if count['high'] == 1 else ''} outreach now"]
    if count["medium"]:
        parts.append(f"{count['medium']} within days")
    if count["low"]:
        parts.append(f"{count['low']} to watch")
    return ", ".join(parts)


def signals(values: tuple[str, ...]) -> str:
    return ", ".join(SIGNAL_LABELS.get(s, s) for s in values)


def feedback_line(report: WeeklyReport) -> str:
    """`42 help-site votes, 30 helpful (71%), 12 not helpful`, or that there were none."""
    helpful = sum(f.helpful for f in report.feedback)
    unhelpful = sum(f.unhelpful for f in report.feedback)
    votes = helpful + unhelpful
    if not votes:
        return f"no help-site votes in {report.period.label}"
    return f"{plural(votes, 'help-site vote')}, {helpful} helpful ({helpful / votes:.0%}), {unhelpful} not helpful"


def unhelpful_articles(report: WeeklyReport) -> list[ArticleFeedback]:
    """The articles readers voted not helpful, most such votes first (capped)."""
    return [f for f in report.feedback if f.unhelpful][:FEEDBACK_SHOWN]


def feedback_row(item: ArticleFeedback) -> tuple[str, ...]:
    ratio = f"{item.ratio:.0%}" if item.ratio is not None else "–"
    return (item.article_id, item.page, str(item.votes), str(item.unhelpful), ratio)


FEEDBACK_HEADER = ("article", "page", "votes", "not helpful", "helpful ratio")
