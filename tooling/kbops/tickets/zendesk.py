"""Zendesk's ticket exports as Tickets: the full JSON export (NDJSON), an API response
`{"tickets": [...]}` with sideloads, or a JSON list. Internal notes are never read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..errors import one_line
from .limits import TooDeep, line_of_depth, loads_bounded, too_deep
from .model import TicketError, TicketSet, TicketStatus, Tier
from .problems import ProblemCollector

ZENDESK_CHANNELS = {"voice": "phone", "native_messaging": "chat"}
"""Zendesk `via.channel` values renamed to ours; any other channel is kept as it is."""

DEFAULT_TIER_TAGS = {"enterprise": Tier.ENTERPRISE, "vip": Tier.ENTERPRISE, "business": Tier.BUSINESS, "pro": Tier.PRO}
"""Ticket tags that set the tier when `tier_map` names neither the organisation nor a tag."""

ZENDESK_STATUSES = {
    "new": TicketStatus.OPEN, "open": TicketStatus.OPEN, "pending": TicketStatus.OPEN, "hold": TicketStatus.OPEN,
    "solved": TicketStatus.RESOLVED_BY_SPECIALIST, "closed": TicketStatus.RESOLVED_BY_SPECIALIST,
}
"""Zendesk `status` -> ours. A Zendesk ticket is solved by a person, so `solved` is
`resolved_by_specialist` unless a tag names another status (`resolved_by_agent`, `escalated`, ...)."""

ZENDESK_SEVERITIES = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}
"""Zendesk `priority` -> severity."""

ZENDESK_CSAT = {"good": 5.0, "bad": 1.0}
"""`satisfaction_rating.score` -> CSAT 1-5 (Zendesk's rating is good or bad; `offered` is no rating)."""

_STATUS_TAGS = frozenset(TicketStatus)
_AGENT_ROLES = ("agent", "admin")
_TIER_RANK = {tier: rank for rank, tier in enumerate(Tier)}  # declared free < pro < business < enterprise


@dataclass
class _Sideloads:
    """Records a `{"tickets": [...]}` document carries next to the tickets, by id."""

    comments: dict[str, list[Any]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    """User id -> `end-user`, `agent` or `admin` (`?include=users`)."""
    organizations: dict[str, str] = field(default_factory=dict)
    """Organisation id -> name (`?include=organizations`)."""


def read_zendesk(
    path: Path, strict: bool = False, tier_map: Mapping[str, str] | None = None, article_field: int | None = None,
    *, require_created_at: bool = False,
) -> TicketSet:
    """Read a Zendesk ticket export: `{"tickets": [...]}`, a JSON list, or NDJSON.

    The requester's first public comment is the body, the last public agent comment the
    resolution; internal notes are never read. `tier_map` maps an organisation (id,
    `org-<id>` or sideloaded name) or a tag to a tier; the values of custom field
    `article_field` (a Zendesk field id) are read as KB article ids, as are `kb:` tags.
    `require_created_at` (the history) makes a ticket without `created_at` a problem.
    """
    path = Path(path)
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    tiers = _checked_tiers(tier_map or {})
    raw = path.read_bytes()
    report = ProblemCollector(path, strict)
    records: Iterable[tuple[int, object]]
    if _is_ndjson(raw):
        records, related = _ndjson_records(raw, report), _Sideloads()
    else:
        records, related = _document_records(path, raw)
    for line, ticket in records:
        if too_deep(ticket):
            report.problem(line, _id_of(ticket), str(TooDeep()))
            continue
        outcome = _zendesk_record(ticket, related, tiers, article_field)
        if isinstance(outcome, tuple):
            report.problem(line, *outcome)
        elif require_created_at and "created_at" not in outcome:
            report.problem(line, outcome["id"], "history needs created_at: the Zendesk ticket has no `created_at`")
        else:
            report.keep(outcome, line, {})
    return report.result()


def _id_of(ticket: object) -> str | None:
    ticket_id = ticket.get("id") if isinstance(ticket, dict) else None
    return f"ZD-{one_line(ticket_id, 40)}" if isinstance(ticket_id, int | str) and ticket_id != "" else None


def _checked_tiers(tier_map: Mapping[str, str]) -> dict[str, Tier]:
    tiers: dict[str, Tier] = {}
    for key, value in tier_map.items():
        try:
            tiers[str(key).casefold()] = Tier(str(value).lower())
        except ValueError:
            raise TicketError(f"tier map: '{key}' = {value!r} is not a tier (choose {', '.join(Tier)})") from None
    return tiers


def _is_ndjson(raw: bytes) -> bool:
    """One ticket object per line (Zendesk's full JSON export) rather than one JSON document."""
    lines = [chunk.strip() for chunk in raw.removeprefix(b"\xef\xbb\xbf").splitlines() if chunk.strip()]
    if not lines or not lines[0].startswith(b"{"):
        return False
    first = _loads_or_none(lines[0])
    if first is None:  # a broken first ticket, or the opening of a pretty-printed document
        return any(isinstance(record := _loads_or_none(line), dict) and "id" in record for line in lines[1:])
    return isinstance(first, dict) and "tickets" not in first and ("id" in first or len(lines) > 1)


def _loads_or_none(line: bytes) -> object:
    try:
        return loads_bounded(line)
    except ValueError:  # not JSON, not UTF-8, or nested too deep
        return None


def _ndjson_records(raw: bytes, report: ProblemCollector) -> Iterator[tuple[int, object]]:
    for number, chunk in enumerate(raw.splitlines(), start=1):
        if not chunk.strip():
            continue
        try:
            yield number, loads_bounded(chunk.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            report.problem(number, None, "line is not valid UTF-8 (save the file as UTF-8)")
        except json.JSONDecodeError as exc:
            report.problem(number, _ticket_id_in(chunk), f"not valid JSON: {exc.msg} (column {exc.colno})")
        except TooDeep as exc:
            report.problem(number, _ticket_id_in(chunk), str(exc))


def _ticket_id_in(chunk: bytes) -> str | None:
    """The id of a broken NDJSON ticket line, when its start survived (`{"url": ".../tickets/42.json", "id": 42`)."""
    match = re.search(rb'/tickets/(\d+)\.json"|"id"\s*:\s*(\d+)', chunk[:400])
    return f"ZD-{(match[1] or match[2]).decode()}" if match else None


def _document_records(path: Path, raw: bytes) -> tuple[list[tuple[int, object]], _Sideloads]:
    """Tickets of one JSON document, each with the line its object starts on."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TicketError(f"{path}:{line}: not valid UTF-8 (save the file as UTF-8)") from None
    if not text.strip():
        return [], _Sideloads()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TicketError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:  # each ticket is held to MAX_JSON_DEPTH below; this is far past it
        deep = TooDeep(0)
        line = 1 + line_of_depth(text)
        raise TicketError(f"{path}:{line}: {deep}") from None
    if isinstance(data, list):
        return list(zip(_item_lines(text, _skip(text, 0)), data, strict=True)), _Sideloads()
    if isinstance(data, dict) and isinstance(data.get("tickets"), list):
        lines = _item_lines(text, _member_start(text, "tickets"))
        return list(zip(lines, data["tickets"], strict=True)), _sideloads(data)
    raise TicketError(f'{path}: not a Zendesk ticket export: expected {{"tickets": [...]}}, '
                      "a JSON list of tickets, or one ticket object per line (NDJSON)")


_SPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _member_start(text: str, key: str) -> int:
    """Offset of the value of `key` in the (already validated) top-level object."""
    pos = _skip(text, _skip(text, 0) + 1)
    while not text.startswith("}", pos):
        name, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past the ':'
        if name == key:
            return pos
        pos = _skip(text, _DECODER.raw_decode(text, pos)[1])
        pos = _skip(text, pos + 1) if text.startswith(",", pos) else pos
    raise KeyError(key)  # unreachable: json.loads found the key


def _item_lines(text: str, start: int) -> list[int]:
    """Line on which each item of the (already validated) JSON array at `start` begins."""
    lines: list[int] = []
    line, counted = 1 + text.count("\n", 0, start), start
    pos = _skip(text, start + 1)
    while not text.startswith("]", pos):
        line, counted = line + text.count("\n", counted, pos), pos
        lines.append(line)
        pos = _skip(text, _DECODER.raw_decode(text, pos)[1])
        pos = _skip(text, pos + 1) if text.startswith(",", pos) else pos
    return lines


def _sideloads(data: dict[str, Any]) -> _Sideloads:
    """Comments (`{ticket_id: [...]}` or a list of comments with `ticket_id`), users' roles
    and organisation names."""
    related = _Sideloads()
    comments = data.get("comments")
    if isinstance(comments, dict):
        related.comments = {str(key): value for key, value in comments.items() if isinstance(value, list)}
    elif isinstance(comments, list):
        for comment in comments:
            owner = comment.get("ticket_id") if isinstance(comment, dict) else None
            if owner is not None:
                related.comments.setdefault(str(owner), []).append(comment)
    for user in data.get("users") or ():
        if isinstance(user, dict) and isinstance(user.get("role"), str):
            related.roles[str(user.get("id"))] = user["role"]
    for org in data.get("organizations") or ():
        if isinstance(org, dict) and isinstance(org.get("name"), str):
            related.organizations[str(org.get("id"))] = org["name"]
    return related


def _zendesk_record(
    ticket: object, related: _Sideloads, tiers: Mapping[str, Tier], article_field: int | None
) -> dict[str, Any] | tuple[str | None, str]:
    """Our record for one Zendesk ticket, or (ticket id, what is wrong)."""
    if not isinstance(ticket, dict):
        return None, "expected a ticket object"
    if ticket.get("id") in (None, ""):
        return None, "ticket has no 'id'"
    ticket_id = f"ZD-{ticket['id']}"
    comments = ticket["comments"] if "comments" in ticket else related.comments.get(str(ticket["id"]))
    if not isinstance(comments, list) or not comments:
        return ticket_id, ("no comments in the export (use the full JSON export, or add each ticket's "
                           "comments to it)")
    # Only `public: true` counts: an internal note must never become the question or the answer.
    public = [c for c in comments if isinstance(c, dict) and c.get("public") is True]
    requester = ticket.get("requester_id")
    if requester is not None:
        opening = next((c for c in public if c.get("author_id") == requester), None)
    else:  # no requester recorded: the first public comment not written by a known agent
        opening = next((c for c in public if related.roles.get(str(c.get("author_id"))) not in _AGENT_ROLES), None)
    if opening is None:
        return ticket_id, (f"no public comment by the requester (user {requester}); internal notes and "
                           "agent replies are never used as the customer's message")
    body = _comment_text(opening)
    if not body:
        return ticket_id, "the requester's first public comment is empty"
    customer = requester if requester is not None else opening.get("author_id")
    replies = [c for c in public if _by_agent(c, customer, related.roles)]
    tags = [tag for tag in ticket.get("tags") or () if isinstance(tag, str)]
    organization = ticket.get("organization_id")
    customer_id = f"org-{organization}" if organization is not None else (
        f"user-{customer}" if customer is not None else "unknown")
    org_keys = [customer_id, str(organization), related.organizations.get(str(organization), "")] if organization is not None else []
    record: dict[str, Any] = {
        "id": ticket_id,
        "subject": ticket.get("subject") or ticket.get("raw_subject") or "",
        "body": body,
        "resolution": _comment_text(replies[-1]) if replies else "",
        "customer": {"id": customer_id, "tier": _tier(org_keys, tags, tiers)},
        "resolved_by_article_ids": _article_ids(ticket, tags, article_field),
        "tags": tags + ([f"priority:{ticket['priority']}"] if ticket.get("priority") else []),
    }
    if ticket.get("created_at"):
        record["created_at"] = ticket["created_at"]
    via = ticket.get("via")
    channel = via.get("channel") if isinstance(via, dict) else None
    if isinstance(channel, str) and channel:
        record["channel"] = ZENDESK_CHANNELS.get(channel, channel)
    record.update(_history_fields(ticket, tags))
    return record


def _history_fields(ticket: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """Status, resolution time, severity and CSAT, where the export has them."""
    fields: dict[str, Any] = {}
    status = ticket.get("status")
    if isinstance(status, str) and status.lower() in ZENDESK_STATUSES:
        fields["status"] = ZENDESK_STATUSES[status.lower()]
        if status.lower() in ("solved", "closed") and (ticket.get("solved_at") or ticket.get("updated_at")):
            fields["resolved_at"] = ticket.get("solved_at") or ticket.get("updated_at")
    tagged = next((tag.lower() for tag in tags if tag.lower() in _STATUS_TAGS), None)
    if tagged:
        fields["status"] = tagged
    priority = ticket.get("priority")
    if isinstance(priority, str) and priority.lower() in ZENDESK_SEVERITIES:
        fields["severity"] = ZENDESK_SEVERITIES[priority.lower()]
    rating = ticket.get("satisfaction_rating")
    score = rating.get("score") if isinstance(rating, dict) else None
    if isinstance(score, str) and score.lower() in ZENDESK_CSAT:
        fields["csat"] = ZENDESK_CSAT[score.lower()]
    return fields


def _by_agent(comment: dict[str, Any], customer: object, roles: Mapping[str, str]) -> bool:
    """By the sideloaded role when known, else: anyone but the customer is an agent."""
    author = comment.get("author_id")
    role = roles.get(str(author))
    return role in _AGENT_ROLES if role is not None else author != customer


def _tier(org_keys: list[str], tags: list[str], tiers: Mapping[str, Tier]) -> Tier:
    """tier_map by organisation, then by tag (highest wins), then the built-in tags, else free."""
    for key in org_keys:
        if key and key.casefold() in tiers:
            return tiers[key.casefold()]
    mapped = [tiers[tag.casefold()] for tag in tags if tag.casefold() in tiers]
    built_in = [DEFAULT_TIER_TAGS[tag.casefold()] for tag in tags if tag.casefold() in DEFAULT_TIER_TAGS]
    return max(mapped or built_in, key=_TIER_RANK.__getitem__, default=Tier.FREE)


def _article_ids(ticket: dict[str, Any], tags: list[str], article_field: int | None) -> list[str]:
    """`kb:<id>` tags and custom field values, and every value of custom field `article_field`."""
    found = [tag[3:] for tag in tags if tag.startswith("kb:")]
    for custom in ticket.get("custom_fields") or ticket.get("fields") or ():
        if not isinstance(custom, dict):
            continue
        value = custom.get("value")
        values = value if isinstance(value, list) else [value]
        for value in (v for v in values if isinstance(v, str)):
            if article_field is not None and custom.get("id") == article_field:
                found.extend(item.removeprefix("kb:") for item in re.split(r"[\s,;]+", value))
            elif value.startswith("kb:"):
                found.append(value[3:])
    return list(dict.fromkeys(item.strip() for item in found if item.strip()))


def _comment_text(comment: dict[str, Any]) -> str:
    """`plain_body`, else `body`, else `html_body` without its tags."""
    for key in ("plain_body", "body"):
        if isinstance(comment.get(key), str) and comment[key].strip():
            return _tidy(comment[key])
    html = comment.get("html_body")
    if not isinstance(html, str):
        return ""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _HtmlText(HTMLParser):
    """Text of a comment's `html_body`: block elements become line breaks, scripts vanish."""

    BLOCKS = frozenset({"br", "p", "div", "li", "tr", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCKS and tag != "li":  # the next item starts its own line
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))  # _tidy trims each line
