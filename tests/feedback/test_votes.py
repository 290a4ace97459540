"""Vote validation: origin, size, shape and page, each refused with its status."""

from __future__ import annotations

import json

import pytest

from kbops.errors import ConfigError
from kbops.feedback.votes import AcceptedVote, Rejection, VoteRules, check_vote, site_origin

ORIGIN = "https://help.example.com"
RULES = VoteRules(origin=ORIGIN, pages={"/billing/refunds/": "refunds"}, max_body_bytes=200)


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(("url", "origin"), [
    ("https://help.example.com/", "https://help.example.com"),
    ("https://Help.Example.com:443/docs/", "https://help.example.com"),
    ("http://127.0.0.1:8123/", "http://127.0.0.1:8123"),
    ("http://localhost:80", "http://localhost"),
])
def test_the_origin_of_site_url_is_what_a_browser_sends(url: str, origin: str) -> None:
    assert site_origin(url) == origin


@pytest.mark.parametrize("url", ["", "ftp://help.example.com/", "help.example.com", "https://:8/"])
def test_a_site_url_that_is_no_web_address_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="site_url"):
        site_origin(url)


@pytest.mark.parametrize("value", [1, 0, "1", "0"])
def test_a_vote_for_a_known_page_is_accepted(value: object) -> None:
    checked = check_vote(body(page="/billing/refunds/", value=value, at="2026-11-30"), ORIGIN, RULES)
    assert checked == AcceptedVote("/billing/refunds/", "refunds", int(value))  # type: ignore[call-overload]


@pytest.mark.parametrize(("raw", "origin", "status"), [
    (body(page="/billing/refunds/", value=1), None, 403),
    (body(page="/billing/refunds/", value=1), "https://evil.example.com", 403),
    (body(page="/billing/refunds/", value=1), "http://help.example.com", 403),
    (body(page="/billing/refunds/", value=1, padding="x" * 300), ORIGIN, 413),
    (b"not json", ORIGIN, 400),
    (b"\xff\xfe", ORIGIN, 400),
    (b"[1, 0]", ORIGIN, 400),
    (body(value=1), ORIGIN, 400),
    (body(page=7, value=1), ORIGIN, 400),
    (body(page="/billing/refunds/", value=2), ORIGIN, 400),
    (body(page="/billing/refunds/", value=True), ORIGIN, 400),
    (body(page="/billing/refunds/", value="yes"), ORIGIN, 400),
    (body(page="/internal/secret/", value=1), ORIGIN, 404),
    (body(page="/billing/refunds", value=1), ORIGIN, 404),
])
def test_a_bad_vote_is_refused_with_its_status(raw: bytes, origin: str | None, status: int) -> None:
    checked = check_vote(raw, origin, RULES)
    assert isinstance(checked, Rejection) and checked.status == status, checked
