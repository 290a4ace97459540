"""`kbops review serve`: the local web app where a specialist grades a sample.

Server-rendered pages (Jinja, autoescaped: ticket text and agent replies are untrusted and
shown as text, never as HTML) and one JSON endpoint that appends a verdict to the review
log. The page's only script and style come from this package, and a strict
Content-Security-Policy forbids everything else. A verdict is accepted only from the app's
own page: the Host must be the address the app serves (a DNS-rebinding page cannot
reach it under another name), a browser's Origin must be the app's own (cross-site posts
are refused with 403), and the request carries the per-run token embedded in the page.
"""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import one_line
from ..kb.model import KnowledgeBase
from ..tickets.reviews import Review, ReviewError, ReviewVerdict, append_reviews
from ..web import bounded_body, media_type
from . import views
from .sample import SampleItem, to_review

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # not no-referrer: that makes a same-origin POST send `Origin: null`
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
MAX_BODY_BYTES = 32 * 1024
"""A verdict is a few fields and a note of at most 4,000 characters; more is not a verdict."""
MAX_NOTE_CHARS = 4000
MAX_ARTICLE_IDS = 20
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
CSRF_HEADER = "x-kbops-review-token"
VERDICT_FIELDS = frozenset({"ticket_id", "verdict", "note", "correct_article_ids"})


class Refused(Exception):
    """A verdict request the app will not record, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ReviewSession:
    """One run of `kbops review serve`: the sample, where verdicts go, and what was graded."""

    items: tuple[SampleItem, ...]
    kb: KnowledgeBase
    log_path: Path
    reviewer: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    verdicts: dict[str, ReviewVerdict] = field(default_factory=dict)

    def number_of(self, ticket_id: str) -> int | None:
        for number, item in enumerate(self.items, start=1):
            if item.ticket.id == ticket_id:
                return number
        return None


def review_app(items: Sequence[SampleItem], kb: KnowledgeBase, log_path: Path, reviewer: str, *,
               host: str = "127.0.0.1") -> Starlette:
    """The review app over `items`; verdicts are appended to `log_path` as `reviewer`.
    `host`: the address it will listen on (requests naming another host are refused,
    unless it listens on every interface)."""
    session = ReviewSession(tuple(items), kb, log_path, reviewer)
    env = jinja2.Environment(loader=jinja2.PackageLoader("kbops.review", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    templates = Jinja2Templates(env=env)

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        graded = sum(1 for item in session.items if item.ticket.id in session.verdicts)
        base = {"token": session.token, "reviewer": session.reviewer, "graded": graded,
                "total": len(session.items), "log_path": str(session.log_path)}
        return templates.TemplateResponse(request, name, base | context, status_code=status,
                                          headers={"cache-control": "no-store"})

    async def queue(request: Request) -> Response:
        first = views.next_ungraded(session.items, len(session.items), session.verdicts) if session.items else None
        return page(request, "queue.html", {"rows": views.queue_rows(session.items, session.verdicts),
                                            "first_ungraded": first})

    async def item(request: Request) -> Response:
        number = request.path_params["number"]
        if not 1 <= number <= len(session.items):
            return page(request, "missing.html", {"number": number}, status=404)
        return page(request, "item.html", {"view": views.item_view(session.items, number, session.kb,
                                                                   session.verdicts)})

    async def verdict(request: Request) -> Response:
        try:
            check_same_origin(request, session.token)
            payload = await read_json(request)
            number, review = build_review(session, payload)
        except Refused as refused:
            return JSONResponse({"error": refused.message}, status_code=refused.status)
        try:
            await run_in_threadpool(append_reviews, session.log_path, [review])
        except (ReviewError, OSError) as exc:
            return JSONResponse({"error": f"the verdict was not saved: {one_line(exc)}"}, status_code=500)
        session.verdicts[review.ticket_id] = review.verdict
        following = views.next_ungraded(session.items, number, session.verdicts)
        return JSONResponse({
            "recorded": review.ticket_id, "verdict": review.verdict.value,
            "graded": len(session.verdicts.keys() & {i.ticket.id for i in session.items}),
            "total": len(session.items), "next": f"/items/{following}" if following else "/",
        })

    async def first(request: Request) -> Response:
        return RedirectResponse("/items/1" if session.items else "/", status_code=303)

    routes = [
        Route("/", queue),
        Route("/items", first),
        Route("/items/{number:int}", item),
        Route("/api/verdict", verdict, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("kbops.review", "static")]), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(GuardMiddleware, host=host)
    app.state.session = session
    return app


class GuardMiddleware:
    """Every response gets the security headers; a request naming a host the app does not
    serve gets 421 (DNS rebinding: another site's name resolving to 127.0.0.1)."""

    def __init__(self, app: ASGIApp, host: str) -> None:
        self.app = app
        self.any_host = host in WILDCARD_HOSTS
        self.hosts = LOOPBACK_NAMES | {host.strip("[]").lower()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host_header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if not self.any_host and host_name(host_header) not in self.hosts:
            response = Response("unknown host: open the address `kbops review serve` printed\n", status_code=421,
                                media_type="text/plain")
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Callable[[Message], Awaitable[None]]:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        return sending


def host_name(host_header: str) -> str:
    """`127.0.0.1:8765` -> `127.0.0.1`; `[::1]:8765` -> `::1`."""
    text = host_header.strip().lower()
    if text.startswith("["):
        return text[1:text.find("]")] if "]" in text else text
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def check_same_origin(request: Request, token: str) -> None:
    """Refuse (403) what another site open in the browser could send: a cross-site Origin
    or fetch, or a request without this run's token. A client without an Origin header
    (curl, a script) still needs the token, which only the page holds."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is not None and origin.lower() != own.lower():
        raise Refused(403, f"cross-origin request refused: Origin {one_line(origin, 80)} is not {own}")
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise Refused(403, f"cross-site request refused (Sec-Fetch-Site: {one_line(fetch_site, 40)})")
    if not secrets.compare_digest(request.headers.get(CSRF_HEADER, "").encode(), token.encode()):
        raise Refused(403, "missing or wrong review token: reload the page the server printed")


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, read no further than MAX_BODY_BYTES."""
    if media_type(request) != "application/json":
        raise Refused(415, "send the verdict as application/json")
    body = await bounded_body(request, MAX_BODY_BYTES)
    if body is None:
        raise Refused(413, f"request body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise Refused(400, f"not a JSON object: {one_line(exc, 120)}") from None
    if not isinstance(payload, dict):
        raise Refused(400, "not a JSON object")
    return payload


def build_review(session: ReviewSession, payload: dict[str, Any]) -> tuple[int, Review]:
    """The item's number and the Review the payload asks for, or Refused naming what is wrong:
    404 for a ticket not in the sample, 400 for anything else."""
    unknown = sorted(set(payload) - VERDICT_FIELDS)
    if unknown:
        raise Refused(400, f"unknown field(s): {one_line(', '.join(unknown), 120)}")
    ticket_id, verdict_text, note = payload.get("ticket_id"), payload.get("verdict"), payload.get("note", "")
    if not isinstance(ticket_id, str) or not ticket_id:
        raise Refused(400, "ticket_id must be a non-empty string")
    if not isinstance(verdict_text, str):
        raise Refused(400, "verdict must be a string")
    if not isinstance(note, str) or len(note) > MAX_NOTE_CHARS:
        raise Refused(400, f"note must be a string of at most {MAX_NOTE_CHARS} characters")
    number = session.number_of(ticket_id)
    if number is None:
        raise Refused(404, f"ticket {one_line(ticket_id, 60)} is not in this sample")
    item = session.items[number - 1]
    try:
        verdict = ReviewVerdict(verdict_text)
    except ValueError:
        raise Refused(400, f"unknown verdict {one_line(verdict_text, 40)!r}: one of "
                      f"{', '.join(v.value for v in ReviewVerdict)}") from None
    allowed = views.allowed_verdicts(item.action)
    if verdict not in allowed:
        did = "answered" if item.action == "answer" else "escalated"
        raise Refused(400, f"verdict {verdict.value!r} does not fit ticket {ticket_id}: the agent {did} it, so the "
                      f"verdict is one of {', '.join(v.value for v in allowed)}")
    articles = article_ids(payload.get("correct_article_ids", ""), session.kb)
    try:
        return number, to_review(item, verdict, note.strip(), session.reviewer, articles)
    except ReviewError as exc:
        raise Refused(400, f"not a valid review: {one_line(exc, 200)}") from None


def article_ids(value: object, kb: KnowledgeBase) -> tuple[str, ...]:
    """The reviewer's correct articles: a comma-separated string or a list of ids, each one in the KB."""
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        parts = value
    else:
        raise Refused(400, "correct_article_ids must be a comma-separated string or a list of article ids")
    ids = tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))
    if len(ids) > MAX_ARTICLE_IDS:
        raise Refused(400, f"at most {MAX_ARTICLE_IDS} correct articles")
    known = kb.by_id()
    missing = [article_id for article_id in ids if article_id not in known]
    if missing:
        raise Refused(400, f"not in the KB: {one_line(', '.join(missing), 200)} (see `kbops kb list`)")
    return ids


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0 = a free port), so the URL is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(app: Starlette, host: str, port: int, *, announce: Callable[[str], None] | None = None) -> None:
    """Serve `app` until interrupted; `announce` gets the URL once the port is bound."""
    sock = bind(host, port)
    if announce is not None:
        announce(url_of(sock))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
