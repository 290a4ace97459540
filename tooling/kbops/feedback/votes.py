"""Is a vote from the help site's widget one to keep? Pure checks, in the order a bad
request is cheapest to refuse: origin (403), size (413), shape (400), page (404). The rate
limit (429) needs the store and is checked there, in the same transaction as the insert.

The set of known pages is handed in (page path -> article id, as the site builder names
article pages), so a vote can only ever name an article the built site shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ConfigError

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_PAGE_CHARS = 2048


@dataclass(frozen=True)
class VoteRules:
    """What a vote must satisfy: sent from `origin`, at most `max_body_bytes`, for one of `pages`."""

    origin: str
    pages: Mapping[str, str]
    """URL path of an article page (as `document.location.pathname` gives it) -> article id."""
    max_body_bytes: int


@dataclass(frozen=True)
class AcceptedVote:
    page: str
    article_id: str
    value: int


@dataclass(frozen=True)
class Rejection:
    status: int
    reason: str


def site_origin(site_url: str) -> str:
    """The origin (`scheme://host[:port]`) a browser sends from pages of `site_url`."""
    parts = urlsplit(site_url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigError(f"site_url {site_url!r} in the mkdocs config is not an http(s) URL; the feedback "
                          "endpoint accepts votes only from the help site's origin")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"site_url {site_url!r}: {exc}") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    shown_port = "" if port is None or port == DEFAULT_PORTS[parts.scheme] else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


def origin_allowed(origin: str | None, rules: VoteRules) -> bool:
    return origin is not None and origin.strip().lower() == rules.origin.lower()


def check_vote(body: bytes, origin: str | None, rules: VoteRules) -> AcceptedVote | Rejection:
    """The vote in `body`, or why it is refused (with its HTTP status)."""
    if not origin_allowed(origin, rules):
        return Rejection(403, f"origin {origin or 'missing'!r} is not the help site's ({rules.origin})")
    if len(body) > rules.max_body_bytes:
        return Rejection(413, f"body of {len(body)} bytes; at most {rules.max_body_bytes}")
    try:
        raw = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Rejection(400, "body is not JSON")
    if not isinstance(raw, dict):
        return Rejection(400, "body is not a JSON object")
    page, value = raw.get("page"), _value(raw.get("value"))
    if not isinstance(page, str) or not page or len(page) > MAX_PAGE_CHARS:
        return Rejection(400, "`page` must be the page's path, a string")
    if value is None:
        return Rejection(400, "`value` must be 1 (helpful) or 0 (not helpful)")
    article_id = rules.pages.get(page)
    if article_id is None:
        return Rejection(404, "not an article page of the help site")
    return AcceptedVote(page, article_id, value)


def _value(raw: object) -> int | None:
    """1 or 0, given as a number or a string (the widget sends material's `data-md-value`)."""
    if isinstance(raw, bool):
        return None
    if raw in (0, 1, "0", "1"):
        return int(raw)
    return None
