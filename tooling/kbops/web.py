"""What kbops' two local servers (the review UI, the help-site feedback endpoint) share in
reading a request: its media type, and a body read no further than a limit, so a client
cannot make either server hold an oversized body in memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request


def media_type(request: Request) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`; "" when none was sent."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is longer than `limit` (a declared length over the
    limit is refused before anything is read; a body is never read in full past it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
