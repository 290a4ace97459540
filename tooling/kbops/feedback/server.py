"""`kbops feedback serve`: the endpoint the help site's widget POSTs votes to.

The widget sends a CORS-simple request (`fetch` with `Content-Type: text/plain`, no
credentials), so browsers send no preflight and no cookies; an OPTIONS preflight is still
answered for clients that send `application/json`. CORS headers go to the help site's
origin only. Every vote is checked (`votes.py`) and rate-limited per client (`store.py`);
a refused vote stores nothing. The server sets no cookie and, with uvicorn's access log
off, writes no client address anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..config import FeedbackSettings
from ..web import bounded_body, media_type
from .store import FeedbackStore, Vote
from .votes import AcceptedVote, Rejection, VoteRules, check_vote, origin_allowed

CONTENT_TYPES = frozenset({"text/plain", "application/json"})
PREFLIGHT_MAX_AGE = "600"
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _cors(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _refuse(rejection: Rejection, origin: str | None, rules: VoteRules) -> Response:
    headers = {"Cache-Control": "no-store", "Vary": "Origin"}
    if origin_allowed(origin, rules) and origin is not None:
        headers.update(_cors(origin))  # the site's own page may read why its vote was refused
    return JSONResponse({"error": rejection.reason}, status_code=rejection.status, headers=headers)


def feedback_app(store: FeedbackStore, rules: VoteRules, settings: FeedbackSettings,
                 clock: Clock = _utc_now) -> Starlette:
    """The endpoint: POST /votes (204 when stored), OPTIONS /votes, GET /health."""

    async def votes(request: Request) -> Response:
        origin = request.headers.get("origin")
        if not origin_allowed(origin, rules):
            return _refuse(Rejection(403, f"origin {origin or 'missing'!r} is not the help site's"), origin, rules)
        if media_type(request) not in CONTENT_TYPES:
            return _refuse(Rejection(415, "send the vote as text/plain or application/json"), origin, rules)
        body = await bounded_body(request, rules.max_body_bytes)
        if body is None:
            return _refuse(Rejection(413, f"body larger than {rules.max_body_bytes} bytes"), origin, rules)
        checked = check_vote(body, origin, rules)
        if isinstance(checked, Rejection):
            return _refuse(checked, origin, rules)
        if not await run_in_threadpool(_store_vote, checked, request):
            limit = f"{settings.rate_limit} votes per {settings.rate_window_seconds:g} s"
            return _refuse(Rejection(429, f"too many votes from this client ({limit})"), origin, rules)
        assert origin is not None  # origin_allowed said so
        return Response(status_code=204, headers={**_cors(origin), "Cache-Control": "no-store"})

    def _store_vote(checked: AcceptedVote, request: Request) -> bool:
        address = request.client.host if request.client else ""
        key = store.client_key(address, request.headers.get("user-agent", ""))
        vote = Vote(checked.page, checked.article_id, checked.value, clock(), key)
        return store.accept(vote, limit=settings.rate_limit, window_seconds=settings.rate_window_seconds)

    async def preflight(request: Request) -> Response:
        origin = request.headers.get("origin")
        if not origin_allowed(origin, rules) or origin is None:
            return Response(status_code=403, headers={"Vary": "Origin"})
        return Response(status_code=204, headers={
            **_cors(origin), "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        })

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    return Starlette(routes=[
        Route("/votes", votes, methods=["POST"]),
        Route("/votes", preflight, methods=["OPTIONS"]),
        Route("/health", health, methods=["GET"]),
    ])


def serve(app: Starlette, host: str, port: int) -> None:
    """Run the endpoint until interrupted. The access log is off: it would print client
    addresses, which the store is careful never to keep."""
    import uvicorn  # lazy: only `kbops feedback serve` runs a server

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
