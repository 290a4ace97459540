"""KB contribution: who wrote and kept up the articles, and how many tickets those articles
deflected in the period.

Two views, because a KB has two kinds of record of who does the work:
- **authors** (git): per commit author of files under the KB folder in the period, the
  articles they created and updated, and the period's deflected tickets (resolved_by_agent)
  that cite one of those articles and were opened after the author's change to it: an edit
  is not credited with what the article deflected before it. Names only, as git and .mailmap give them, redacted:
  an e-mail address never reaches a report.
- **owners** (front matter `owner`): per owner, the articles they keep and the period's
  deflected tickets citing them, whoever edited the files.

A ticket citing articles of two people counts once for each: credit, not a share of a total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from ..gitkb import KBChange
from ..redact import redacted
from ..tickets.model import Ticket

NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class AuthorContribution:
    author: str
    created: tuple[str, ...]
    """Article ids the author added in the period."""
    updated: tuple[str, ...]
    """Article ids the author changed in the period (and did not add in it)."""
    commits: int
    deflected: int
    """Deflected tickets of the period citing an article the author created or updated,
    opened after that change."""

    def as_dict(self) -> dict[str, Any]:
        return {"author": self.author, "articles_created": len(self.created), "articles_updated": len(self.updated),
                "created": list(self.created), "updated": list(self.updated), "commits": self.commits,
                "tickets_deflected": self.deflected}


@dataclass(frozen=True)
class OwnerContribution:
    owner: str
    articles: int
    deflecting_articles: int
    """Owned articles cited by at least one deflected ticket of the period."""
    deflected: int

    def as_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, "articles": self.articles, "articles_deflecting": self.deflecting_articles,
                "tickets_deflected": self.deflected}


@dataclass(frozen=True)
class KbContribution:
    authors: tuple[AuthorContribution, ...]
    owners: tuple[OwnerContribution, ...]
    git: bool
    """False when the KB folder is not in a git repository (no authors to credit)."""

    def as_dict(self) -> dict[str, Any]:
        return {"git": self.git, "authors": [a.as_dict() for a in self.authors],
                "owners": [o.as_dict() for o in self.owners]}


def kb_contribution(changes: Sequence[KBChange] | None, article_paths: Mapping[str, str],
                    owners: Mapping[str, str | None], deflected: Iterable[Ticket]) -> KbContribution:
    """`article_paths`: path relative to the KB folder -> article id (files no longer there
    fall back to their file name); `owners`: article id -> front-matter owner."""
    citing: dict[str, set[str]] = defaultdict(set)
    opened: dict[str, datetime | None] = {}
    for ticket in deflected:
        opened[ticket.id] = ticket.created_at
        for article_id in ticket.cited_article_ids:
            citing[article_id].add(ticket.id)
    authors = _authors(changes or (), article_paths, citing, opened)
    return KbContribution(authors, _owners(owners, citing), changes is not None)


def _authors(changes: Iterable[KBChange], article_paths: Mapping[str, str], citing: Mapping[str, set[str]],
             opened: Mapping[str, datetime | None]) -> tuple[AuthorContribution, ...]:
    created: dict[str, dict[str, None]] = defaultdict(dict)
    touched: dict[str, dict[str, None]] = defaultdict(dict)
    first_change: dict[str, dict[str, datetime]] = defaultdict(dict)
    commits: dict[str, set[str]] = defaultdict(set)
    for change in changes:
        if PurePosixPath(change.path).suffix.lower() != ".md" or change.status not in ("A", "M"):
            continue
        author = redacted(change.author).strip() or "(unknown)"
        article_id = article_paths.get(change.path) or PurePosixPath(change.path).stem
        commits[author].add(change.commit)
        first_change[author].setdefault(article_id, change.authored_at)  # changes come oldest first
        (created if change.status == "A" else touched)[author][article_id] = None
    found = []
    for author in commits:
        new = tuple(created[author])
        updated = tuple(a for a in touched[author] if a not in created[author])
        tickets = {ticket_id for article_id, since in first_change[author].items()
                   for ticket_id in citing.get(article_id, ()) if _after(opened.get(ticket_id), since)}
        found.append(AuthorContribution(author, new, updated, len(commits[author]), len(tickets)))
    return tuple(sorted(found, key=lambda a: (-a.deflected, -len(a.created) - len(a.updated), a.author)))


def _owners(owners: Mapping[str, str | None], citing: Mapping[str, set[str]]) -> tuple[OwnerContribution, ...]:
    by_owner: dict[str, list[str]] = defaultdict(list)
    for article_id, owner in owners.items():
        by_owner[redacted(owner).strip() if owner else NO_OWNER].append(article_id)
    found = []
    for owner, articles in by_owner.items():
        tickets = set().union(*(citing.get(a, set()) for a in articles))
        found.append(OwnerContribution(owner, len(articles), sum(bool(citing.get(a)) for a in articles), len(tickets)))
    return tuple(sorted(found, key=lambda o: (-o.deflected, o.owner == NO_OWNER, o.owner)))


def _after(ticket_opened: datetime | None, change: datetime) -> bool:
    """A ticket without an opening time is credited (nothing says it came first)."""
    return ticket_opened is None or ticket_opened >= change
