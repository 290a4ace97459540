"""Urgent-ticket notification: POST to a webhook and/or run a command, never blocking triage.

For each ticket whose severity is in `triage.notify_severities`, the triage JSON (with the
ticket's text redacted) goes to `triage.notify_webhook` (urllib, a short timeout, one
retry) and/or on stdin to `triage.notify_command` (split like a shell would, run without
one, with a timeout). A failure is a warning, never an exception: a pager that is down
must not stop the other tickets from being triaged.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import TriageSettings
from ..errors import one_line

WEBHOOK_TIMEOUT_SECONDS = 5.0
WEBHOOK_ATTEMPTS = 2
RETRY_PAUSE_SECONDS = 0.5
COMMAND_TIMEOUT_SECONDS = 20.0

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Delivery:
    """Where one ticket's notification went."""

    channels: tuple[str, ...]
    """`webhook` and/or `command`, the ones that succeeded."""
    failures: tuple[str, ...]


class Notifier:
    """Sends the notifications `triage.*` configures; `wanted` says which severities."""

    def __init__(self, settings: TriageSettings, warn: Warn | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._warn = warn
        self._sleep = sleep

    @property
    def configured(self) -> bool:
        return bool(self.settings.notify_webhook.strip() or self.settings.notify_command.strip())

    def wanted(self, severity: str) -> bool:
        return self.configured and severity in self.settings.notify_severities

    def send(self, payload: Mapping[str, Any]) -> Delivery:
        """Deliver one ticket's JSON to every configured channel; failures become warnings."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        channels: list[str] = []
        failures: list[str] = []
        who = str(payload.get("id", "?"))
        for channel, deliver, target in (("webhook", self._post, self.settings.notify_webhook.strip()),
                                         ("command", self._run, self.settings.notify_command.strip())):
            if not target:
                continue
            problem = deliver(target, body)
            if problem:
                failures.append(f"{channel}: {problem}")
                if self._warn:
                    self._warn(f"triage: could not notify about ticket {one_line(who, 60)} by {channel}: {problem}")
            else:
                channels.append(channel)
        return Delivery(tuple(channels), tuple(failures))

    def _post(self, url: str, body: bytes) -> str:
        """"" when the webhook took it (2xx), else why not; one retry after a short pause when
        the receiver could not be reached or failed (5xx)."""
        if not url.startswith(("http://", "https://")):
            return f"triage.notify_webhook {one_line(url, 80)!r} is not an http(s) URL"
        problem = ""
        for attempt in range(WEBHOOK_ATTEMPTS):
            if attempt:
                self._sleep(RETRY_PAUSE_SECONDS)
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/json", "User-Agent": "kbops-triage"})
            try:
                with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310  (scheme checked above)
                    response.read(1024)
                return ""
            except urllib.error.HTTPError as exc:
                problem = f"HTTP {exc.code}"
                if exc.code < 500:
                    break  # the receiver refused it: the same request will not fare better
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = one_line(f"{type(reason).__name__}: {reason}", 120)
        return problem

    def _run(self, command: str, body: bytes) -> str:
        """"" when the command exited 0, else why not."""
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            return f"triage.notify_command cannot be split: {exc}"
        if not argv:
            return "triage.notify_command is empty"
        try:
            done = subprocess.run(argv, input=body, capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False)  # noqa: S603  (no shell; the command is the team's own config)
        except subprocess.TimeoutExpired:
            return f"timed out after {COMMAND_TIMEOUT_SECONDS:.0f} s"
        except OSError as exc:
            return one_line(f"cannot run {argv[0]!r}: {exc.strerror or exc}", 160)
        if done.returncode != 0:
            detail = one_line(done.stderr.decode("utf-8", "replace"), 120)
            return f"exited {done.returncode}" + (f": {detail}" if detail else "")
        return ""
