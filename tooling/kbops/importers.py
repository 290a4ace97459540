"""Ticket importers: a helpdesk's CSV export and Zendesk's JSON exports, as Tickets.

Like `read_jsonl`, each record that cannot become a Ticket is reported as a TicketProblem
with its line and ticket id (strict mode raises the first); nothing is dropped silently.
`ticket_files.read_ticket_file` picks the reader for a file.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .tickets import Ticket, TicketError, TicketProblem, TicketSet, Tier

TICKET_FIELDS = (
    "id", "created_at", "channel", "customer.id", "customer.tier", "subject", "body",
    "resolution", "resolved_by_article_ids", "tags",
)
"""Ticket fields a CSV column can fill (`mapping` keys); `customer_id`/`customer_tier` also work."""

DEFAULT_COLUMNS = {name: name.replace(".", "_") for name in TICKET_FIELDS}
"""The column each field is read from when the mapping does not name one."""

REQUIRED_COLUMNS = ("id", "body")
LIST_FIELDS = ("resolved_by_article_ids", "tags")
LIST_SEPARATOR = re.compile(r"[;,]")
"""Cells of list fields hold several values separated by `;` or `,`."""

ZENDESK_CHANNELS = {"voice": "phone", "native_messaging": "chat"}
"""Zendesk `via.channel` values renamed to ours; any other channel is kept as it is."""

DEFAULT_TIER_TAGS = {"enterprise": Tier.ENTERPRISE, "vip": Tier.ENTERPRISE, "business": Tier.BUSINESS, "pro": Tier.PRO}
"""Ticket tags that set the tier when `tier_map` names neither the organisation nor a tag."""

_AGENT_ROLES = ("agent", "admin")
_TIER_RANK = {tier: rank for rank, tier in enumerate(Tier)}  # declared free < pro < business < enterprise
_ALIASES = {DEFAULT_COLUMNS[name]: name for name in ("customer.id", "customer.tier")}


def parse_column_map(items: Iterable[str]) -> dict[str, str]:
    """`["id=Ticket ID", "body=Message"]` (the `--map` option) as a mapping."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise TicketError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map 'id=Ticket ID' "
                              f"(fields: {', '.join(TICKET_FIELDS)})")
        mapping[name.strip()] = column.strip()
    return mapping


class _Report:
    """The tickets and problems of one file; in strict mode the first problem is raised."""

    def __init__(self, path: Path, strict: bool) -> None:
        self.source = str(path)
        self.strict = strict
        self.problems: list[TicketProblem] = []
        self.tickets: list[Ticket] = []
        self._first_line: dict[str, int] = {}

    def problem(self, line: int, ticket_id: str | None, message: str) -> None:
        found = TicketProblem(self.source, line, ticket_id, message)
        if self.strict:
            raise TicketError(found.render())
        self.problems.append(found)

    def keep(self, record: dict[str, Any], line: int, name_of: Mapping[str, str]) -> None:
        """Validate a record against the Ticket model; the first of duplicate ids wins."""
        try:
            ticket = Ticket.model_validate(record)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = [str(part) for part in err["loc"]]
            name = ".".join(loc[:2]) if loc[0] == "customer" else loc[0]
            got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict | list) else ""
            self.problem(line, record.get("id"), f"{name_of.get(name, f'field {name!r}')}: {err['msg']}{got}")
            return
        if ticket.id in self._first_line:
            first = self._first_line[ticket.id]
            self.problem(line, ticket.id, f"duplicate ticket id '{ticket.id}' (first on line {first}; ids must be unique)")
            return
        self._first_line[ticket.id] = line
        self.tickets.append(ticket)

    def result(self) -> TicketSet:
        return TicketSet(tuple(self.tickets), tuple(self.problems))


# --- CSV ---------------------------------------------------------------------------------


def read_csv(path: Path, mapping: Mapping[str, str] | None = None, strict: bool = False) -> TicketSet:
    """Read a CSV export with a header row; `mapping` names the column of Ticket fields.

    Line numbers are physical lines (where a record starts), so a quoted cell spanning
    lines does not shift the numbers of the rows after it. Unmapped columns are ignored.
    The delimiter is `,`, or `;`/tab when the header row has more of those.
    """
    path = Path(path)
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    bad_lines: set[int] = set()
    lines = list(_decoded_lines(path.read_bytes(), bad_lines))
    if not lines or not lines[0].strip():
        raise TicketError(f"{path}: the first line is empty; expected a header row naming the columns")
    if 1 in bad_lines:
        raise TicketError(f"{path}:1: the header row is not valid UTF-8 (save the file as UTF-8)")
    delimiter = max((",", ";", "\t"), key=lines[0].count)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise TicketError(f"{path}:1: cannot read the header row: {exc}") from None
    columns = _column_indexes(path, header, mapping or {})
    names = {name: f"column '{header[index]}'" for name, index in columns.items()}
    report = _Report(path, strict)
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            end = reader.line_num
            report.problem(start, None, f"cannot parse the row on lines {start}-{end}: {exc} (check its quotes)")
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        ticket_id = (cells[columns["id"]].strip() if columns["id"] < len(cells) else "") or None
        undecodable = sorted(n for n in bad_lines if start <= n <= end)
        if undecodable:
            report.problem(undecodable[0], ticket_id, "line is not valid UTF-8 (save the file as UTF-8)")
        elif len(cells) != len(header):
            report.problem(start, ticket_id, f"row has {len(cells)} cells but the header has {len(header)} "
                                             "(an unquoted delimiter or a missing quote?)")
        else:
            record = _csv_record(cells, columns, names)
            if isinstance(record, str):
                report.problem(start, ticket_id, record)
            else:
                report.keep(record, start, names)
    return report.result()


def _decoded_lines(raw: bytes, bad_lines: set[int]) -> Iterator[str]:
    """Physical lines, line endings kept (csv needs them inside quoted cells); UTF-8 BOM dropped."""
    for number, chunk in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            yield chunk.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield chunk.decode("utf-8", errors="replace")


def _column_indexes(path: Path, header: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Field -> index of its column: exact name first, else the one name that differs only in case."""
    wanted = {_ALIASES.get(name, name): column for name, column in mapping.items()}
    unknown = sorted(set(wanted) - set(TICKET_FIELDS))
    if unknown:
        raise TicketError(f"{path}: the column mapping names unknown ticket field(s) {', '.join(unknown)} "
                          f"(fields: {', '.join(TICKET_FIELDS)})")
    listing = ", ".join(repr(name) for name in header)
    indexes: dict[str, int] = {}
    for name in TICKET_FIELDS:
        column = wanted.get(name, DEFAULT_COLUMNS[name])
        matches = [i for i, h in enumerate(header) if h == column] or [
            i for i, h in enumerate(header) if h.casefold() == column.casefold()]
        if not matches:
            if name in wanted:
                raise TicketError(f"{path}: column mapping {name}={column} (--map or eval.csv_columns): no such "
                                  f"column; the header has {listing}")
            if name in REQUIRED_COLUMNS:
                raise TicketError(f"{path}: no '{column}' column for the required field '{name}'; the header has "
                                  f"{listing} (map one with --map '{name}=COLUMN' or eval.csv_columns)")
            continue
        if len(matches) > 1:
            raise TicketError(f"{path}: column '{column}' appears {len(matches)} times in the header; rename one")
        indexes[name] = matches[0]
    return indexes


def _csv_record(cells: list[str], columns: Mapping[str, int], names: Mapping[str, str]) -> dict[str, Any] | str:
    """A Ticket record from one row, or what is wrong with it."""
    value = {name: cells[index].replace("\r\n", "\n").replace("\r", "\n").strip() for name, index in columns.items()}
    for name in REQUIRED_COLUMNS:
        if not value[name]:
            return f"{names[name]} ({name}) is empty; every ticket needs one"
    record: dict[str, Any] = {name: value[name] for name in ("id", "created_at", "channel", "subject", "body", "resolution")
                              if value.get(name)}
    for name in LIST_FIELDS:
        if name in value:
            record[name] = [item.strip() for item in LIST_SEPARATOR.split(value[name]) if item.strip()]
    customer_id, tier = value.get("customer.id"), value.get("customer.tier")
    if customer_id or tier:
        record["customer"] = {"id": customer_id or "unknown", **({"tier": tier.lower()} if tier else {})}
    return record


# --- Zendesk -----------------------------------------------------------------------------


@dataclass
class _Sideloads:
    """Records a `{"tickets": [...]}` document carries next to the tickets, by id."""

    comments: dict[str, list[Any]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    """User id -> `end-user`, `agent` or `admin` (`?include=users`)."""
    organizations: dict[str, str] = field(default_factory=dict)
    """Organisation id -> name (`?include=organizations`)."""


def read_zendesk(
    path: Path, strict: bool = False, tier_map: Mapping[str, str] | None = None, article_field: int | None = None
) -> TicketSet:
    """Read a Zendesk ticket export: `{"tickets": [...]}`, a JSON list, or NDJSON.

    The requester's first public comment is the body, the last public agent comment the
    resolution; internal notes are never read. `tier_map` maps an organisation (id,
    `org-<id>` or sideloaded name) or a tag to a tier; the values of custom field
    `article_field` (a Zendesk field id) are read as KB article ids, as are `kb:` tags.
    """
    path = Path(path)
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    tiers = _checked_tiers(tier_map or {})
    raw = path.read_bytes()
    report = _Report(path, strict)
    if _is_ndjson(raw):
        records, related = _ndjson_records(raw, report), _Sideloads()
    else:
        records, related = _document_records(path, raw)
    for line, ticket in records:
        outcome = _zendesk_record(ticket, related, tiers, article_field)
        if isinstance(outcome, tuple):
            report.problem(line, *outcome)
        else:
            report.keep(outcome, line, {})
    return report.result()


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
        return json.loads(line)
    except ValueError:
        return None


def _ndjson_records(raw: bytes, report: _Report) -> Iterator[tuple[int, object]]:
    for number, chunk in enumerate(raw.splitlines(), start=1):
        if not chunk.strip():
            continue
        try:
            yield number, json.loads(chunk.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            report.problem(number, None, "line is not valid UTF-8 (save the file as UTF-8)")
        except json.JSONDecodeError as exc:
            report.problem(number, _ticket_id_in(chunk), f"not valid JSON: {exc.msg} (column {exc.colno})")


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
    return record


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
        values = custom.get("value") if isinstance(custom.get("value"), list) else [custom.get("value")]
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
