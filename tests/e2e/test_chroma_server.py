"""Scale-out mode: a real `chroma run` server on 127.0.0.1 gives the embedded store's results."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.index.embed_cache import CachedEmbedder
from kbops.index.embedders import make_embedder
from kbops.index.retriever import Scope
from kbops.workspace import Workspace
from tests.conftest import REPO

pytestmark = pytest.mark.server
CHROMA = Path(sys.executable).parent / "chroma"
QUERIES = [
    "how do I reset my password",
    "export my project to a spreadsheet",
    "connect slack notifications",
    "API rate limit headers",
    "Refund approval playbook",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "server-data")],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # stop by process id (its own process group)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_server_store_matches_embedded_store(tmp_path: Path, chroma_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "kb", project / "kb")
    embedder = CachedEmbedder(make_embedder(), tmp_path / "embeddings.sqlite")  # embed each chunk once
    embedded = Settings(root=project, index={"path": ".kbops/embedded"})
    remote = Settings(root=project, index={"path": ".kbops/remote", "chroma_url": chroma_server})
    local_space = Workspace(embedded, embedder=embedder)
    remote_space = Workspace(remote, kb=local_space.kb, embedder=embedder)  # one KB, loaded once
    local_report, remote_report = local_space.update_index(), remote_space.update_index()
    assert remote_report.store == chroma_server
    assert remote_report.chunks == local_report.chunks
    local, server = local_space.index, remote_space.index
    assert server.store.count() == local.store.count()
    assert not (project / ".kbops/remote/chroma").exists()  # vectors live on the server
    for query in QUERIES:
        for scope in Scope:
            ours = [h.article_id for h in local.search(query, k=3, scope=scope)]
            theirs = [h.article_id for h in server.search(query, k=3, scope=scope)]
            assert ours == theirs, (query, scope)
    assert server.search(QUERIES[0], k=1)[0].article_id == "reset-password"
    # The environment variable switches a project to the server too, and re-indexing is incremental there.
    monkeypatch.setenv("KBOPS_CHROMA_URL", chroma_server)
    again = Workspace(Settings(root=project, index={"path": ".kbops/remote"}), kb=local_space.kb,
                      embedder=embedder).update_index()
    assert again.embedded == 0 and again.store == chroma_server
