"""Serve a built help site locally, as a static host would (its own 404 page included)."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..errors import ConfigError


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files, and the site's own 404 page (as static hosts serve it)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        content = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A static server for the built site; port 0 picks a free port (see server_address)."""
    if not (site_dir / "index.html").is_file():
        raise ConfigError(f"{site_dir} has no index.html: run `kbops site build` first")
    handler = functools.partial(_SiteHandler, directory=str(site_dir))
    return ThreadingHTTPServer((host, port), handler)
