"""What a ticket's text says that the receiving team needs: the steps the customer already
tried, error messages and codes, versions, environment, hosts, counts, seats and the
wording of a sales opportunity.

Small, general regular expressions over English text, applied to text that is already
redacted (`mask`): a receiver must not chase a step the customer did, or ask for the
browser the customer named, but nothing here tries to understand the ticket. A miss costs
a question back to the customer; a false find costs a line the receiver skips.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ..redact import redacted

IP = "[IP]"
_IPV4 = re.compile(r"(?<!\w)(?<!\d\.)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?::\d{1,5})?(?!\w|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]{1,4}:){7})[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
                   r"(?![\w:])")
"""Full (seven colons) or compressed (`::`) IPv6; a time such as 10:30:00 is neither."""
LIMIT = 8
"""Values kept per kind: a ticket that pastes a log must not flood the note."""


def mask(text: str) -> str:
    """Personal data masked as everywhere else (`redact.redacted`), and IP addresses too:
    a hand-off leaves support, and an address identifies a customer's network."""
    return _IPV6.sub(IP, _IPV4.sub(IP, redacted(text)))


# ---------------------------------------------------------------------- sentences and steps

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_STEP = re.compile(
    r"\b(?:(?:I|we|I've|we've|I have|we have|I had|we had)\s+(?:already\s+|also\s+|even\s+|just\s+)?"
    r"(?:tried|restarted|rebooted|cleared|reinstalled|re-installed|uninstalled|reset|updated|upgraded|"
    r"downgraded|logged out|signed out|disabled|enabled|turned off|turned on|switched|removed|deleted|"
    r"re-?connected|disconnected|checked|followed|changed|moved|contacted|double-checked)"
    r"|\b(?:tried|already tried|already)\b"
    r"|^(?:restarted|rebooted|cleared|reinstalled|reset|updated|disabled|switched|checked)\b)",
    re.IGNORECASE,
)
_NOT_A_STEP = re.compile(r"\?\s*$|\b(?:should I|can I|do I|how do|is there|already paid|already have an?)\b",
                         re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """The text's sentences, each on one line (greetings and sign-offs included)."""
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part.strip()]


def steps_tried(text: str) -> tuple[str, ...]:
    """Sentences that say what the customer already did ("I reinstalled it twice", "Tried
    Edge too, same result"); questions ("should I clear the cache?") are not steps."""
    found = [s for s in sentences(text) if _STEP.search(s) and not _NOT_A_STEP.search(s)]
    return tuple(dict.fromkeys(found))[:LIMIT]


# ---------------------------------------------------------------------- diagnostics

_QUOTED = re.compile(r"""(?<!\w)(?:'([^'\n]{3,120})'|"([^"\n]{3,120})"|“([^”\n]{3,120})”|‘([^’\n]{3,120})’)""")
_ERROR_CONTEXT = re.compile(r"\b(?:error|errors|message|says|said|shows?|showing|getting|get|see|seeing|fails?|"
                            r"failed|warning|exception|popup|pop-up|banner|displays?)\b", re.IGNORECASE)
_NAMED_THING = re.compile(r"^\s*(?:button|project|board|view|tab|page|menu|field|list|team|workspace|column|"
                          r"folder|template|option|link|report|dashboard)\b", re.IGNORECASE)
_ERROR_CODE = re.compile(
    r"\b(?:error|err|code|error code)\s*[:#]?\s*([A-Z]{1,6}[-_]?\d{2,6}|\d{3,6}|[A-Z][A-Z0-9]*_[A-Z0-9_]{2,})\b"
    r"|\b([A-Z]{2,}_[A-Z0-9_]{3,})\b|\b(E\d{3,5}|ERR-\d{2,6})\b", re.IGNORECASE)
_STATUS_WORDS = (r"Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Request Timeout|Conflict|"
                 r"Payload Too Large|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|"
                 r"Gateway Timeout")
_HTTP_STATUS = re.compile(
    rf"\b(?:HTTP(?:/\d(?:\.\d)?)?|status(?: code)?|error|response|code)\s*:?\s*([1-5]\d\d)\b"
    rf"|\b([1-5]\d\d)\s*(?:error|response|status|{_STATUS_WORDS})\b", re.IGNORECASE)
_VERSION = re.compile(
    r"\b(?:version|ver\.?|build|release)\s*:?\s*(v?\d+(?:\.\d+){0,3}[a-z]?)\b"
    r"|\bv(\d+(?:\.\d+){1,3})\b|(?<![\w.])(\d+\.\d+\.\d+(?:\.\d+)?)(?![\w.])"
    r"|\b((?:latest|newest|old|older|beta) (?:app )?version)\b", re.IGNORECASE)
_BROWSER = re.compile(r"\b(Chrome|Chromium|Firefox|Safari|Edge|Opera|Brave|Vivaldi|Arc|Internet Explorer)"
                      r"(?:\s+(\d+(?:\.\d+)*))?\b")
_OS = re.compile(r"\b(Windows(?:\s+(?:\d+|XP|Server \d+))?|macOS(?:\s+(?:\d+(?:\.\d+)*|[A-Z][a-z]+))?|Mac ?OS X|"
                 r"Ubuntu(?:\s+\d+(?:\.\d+)?)?|Linux|Debian|Fedora|ChromeOS|Chromebook|iPadOS(?:\s+\d+(?:\.\d+)*)?|"
                 r"iOS(?:\s+\d+(?:\.\d+)*)?|Android(?:\s+\d+)?)\b")
_DEVICE = re.compile(r"\b(iPhone(?:\s+\d+(?:\s+(?:Pro|Max|Plus|mini))*)?|iPad(?:\s+(?:Pro|Air|mini))?|"
                     r"Pixel\s+\d+[a-z]?(?:\s+Pro)?|Samsung\s+Galaxy\s+[A-Z]\w*|Galaxy\s+[A-Z]\d+\w*|"
                     r"Surface(?:\s+\w+)?|MacBook(?:\s+(?:Pro|Air))?|"
                     r"(?:desktop|mobile|iOS|Android) app|incognito(?: window| mode)?|private window)\b",
                     re.IGNORECASE)
_URL_HOST = re.compile(r"\b(?:https?|wss?|ftp)://(?:[^@/\s]+@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])", re.IGNORECASE)
_COUNT = re.compile(
    r"\b((?:about|around|roughly|approximately|approx\.?|nearly|almost|over|more than|less than|under|~)\s*)?"
    r"(\d{1,3}(?:,\d{3})+|\d+)\s+((?:[a-z-]+\s+)?(?:tasks|subtasks|projects|comments|users|members|seats|people|"
    r"boards|files|attachments|records|rows|items|accounts|workspaces|teams|requests|emails|invoices|guests|"
    r"columns|tickets|calls|events|integrations|licen[cs]es|employees))\b", re.IGNORECASE)


@dataclass(frozen=True)
class Diagnostics:
    """What Engineering needs to reproduce: each kind in the order the ticket names it."""

    error_messages: tuple[str, ...] = ()
    error_codes: tuple[str, ...] = ()
    http_statuses: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    """Browser, operating system, device or app, as written ("Chrome on macOS Sonoma")."""
    hosts: tuple[str, ...] = ()
    """Hosts of the URLs the ticket quotes; never the path or query (they carry tokens)."""
    counts: tuple[str, ...] = ()
    """Sizes the customer gives ("about 5069 tasks")."""

    @property
    def empty(self) -> bool:
        return not any(asdict(self).values())

    def as_dict(self) -> dict[str, Any]:
        return {name: list(values) for name, values in asdict(self).items()}


def _unique(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        value = " ".join(value.split()).strip(" .,;:")
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())[:LIMIT]


def _first_group(match: re.Match[str]) -> str:
    return next((group for group in match.groups() if group), "")


def error_messages(text: str) -> tuple[str, ...]:
    """Quoted text in a sentence about an error ("I keep getting 'session expired'"); a
    quoted name followed by what it names ("the 'Q1 launch' project") is not an error."""
    found = []
    for sentence in sentences(text):
        if not _ERROR_CONTEXT.search(sentence):
            continue
        for match in _QUOTED.finditer(sentence):
            if not _NAMED_THING.match(sentence[match.end():]):
                found.append(_first_group(match))
    return _unique(found)


def diagnostics(text: str) -> Diagnostics:
    """The diagnostic details of a (masked) ticket text."""
    statuses = _unique([_first_group(m) for m in _HTTP_STATUS.finditer(text)])
    codes = [code for code in (_first_group(m) for m in _ERROR_CODE.finditer(text)) if code not in statuses]
    named = [(m.start(), " ".join(part for part in m.groups() if part)) for m in _BROWSER.finditer(text)]
    named += [(m.start(), m.group(0)) for pattern in (_OS, _DEVICE) for m in pattern.finditer(text)]
    environment = [value for _, value in sorted(named)]
    return Diagnostics(
        error_messages=error_messages(text),
        error_codes=_unique(codes),
        http_statuses=statuses,
        versions=_unique([_first_group(m) for m in _VERSION.finditer(text)]),
        environment=_unique(environment),
        hosts=_unique([m.group(1).lower() for m in _URL_HOST.finditer(text)]),
        counts=_unique([f"{m.group(1) or ''}{m.group(2)} {m.group(3)}" for m in _COUNT.finditer(text)]),
    )


# ---------------------------------------------------------------------- sales

_SEATS = re.compile(
    r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+(?:paid\s+|active\s+|more\s+|extra\s+|additional\s+)?"
    r"(?:seats|users|licen[cs]es|people|members|employees|staff)\b"
    r"|\b(?:seats|users|licen[cs]es)\s*:\s*(\d+)\b", re.IGNORECASE)
_OPPORTUNITIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("upgrade", re.compile(r"\bupgrad\w*|\bhigher plan\b|\bmove (?:up )?to (?:the )?(?:Business|Enterprise|Pro)\b",
                           re.IGNORECASE)),
    ("more seats", re.compile(r"\b(?:add|adding|more|extra|additional|buy)\s+(?:\d+\s+)?(?:seats|users|licen[cs]es)\b"
                              r"|\bseats?\b.*\b(?:grow|growing|hire|hiring|onboard)", re.IGNORECASE)),
    ("plan question", re.compile(r"\b(?:which|what) plan\b|\bplan do we need\b|\bpricing\b|\bprice\b|\bquote\b|"
                                 r"\bcompar(?:e|ing)\b.*\btools?\b", re.IGNORECASE)),
    ("annual billing", re.compile(r"\b(?:annual|yearly)\b|\brenewal\b", re.IGNORECASE)),
    ("enterprise feature", re.compile(r"\bSSO\b|\bSAML\b|\bSCIM\b|\baudit log\b|\bSLA\b|\bsecurity review\b",
                                      re.IGNORECASE)),
    ("churn risk", re.compile(r"\bcancel\w*|\bdowngrad\w*|\bswitch(?:ing)? to (?!annual|yearly)\w+|\bleav(?:e|ing)\b"
                              r"|\bcompetitor\b|\brefund\b", re.IGNORECASE)),
)


def seats(text: str) -> int | None:
    """Seats (users, people) the ticket states, the largest figure named; None when it names none."""
    found = [int(_first_group(m).replace(",", "")) for m in _SEATS.finditer(text)]
    return max(found) if found else None


def opportunity_signals(text: str) -> tuple[str, ...]:
    """The sales conversations the wording points at, in a fixed order (`churn risk` last)."""
    return tuple(label for label, pattern in _OPPORTUNITIES if pattern.search(text))
