"""The real index (offline MiniLM + chromadb + BM25) on small KBs and the demo KB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kbops.config import Settings
from kbops.index.embed import CountingEmbedder, Embedder
from kbops.index.indexer import IndexPaths
from kbops.index.retriever import Scope
from kbops.workspace import Workspace
from tests.conftest import REPO, run_kbops
from tests.factories import article_text, write_article


def settings_for(project: Path) -> Settings:
    # No embedding cache: these tests count real embedding work.
    return Settings(root=project, index={"path": ".kbops/index", "embedding_cache": ""})


def workspace(settings: Settings, embedder: Embedder, **options: Any) -> Workspace:
    """A fresh workspace (the KB read again from disk) around the shared model."""
    return Workspace(settings, embedder=embedder, **options)


def small_kb(kb: Path) -> None:
    write_article(kb, "reset-password", title="Reset your password",
          body="Use the sign-in page link.\n\n## Steps\n\n1. Click **Forgot password**.\n2. Open the email.\n")
    write_article(kb, "export-csv", title="Export a project to CSV",
          body="Download tasks as a spreadsheet.\n\n## Steps\n\n1. Open the project.\n2. Choose Export > CSV.\n")
    write_article(kb, "refund-playbook", title="Refund approval playbook Kestrel", audience="internal",
          body="Internal only. Refunds over $500 need a team lead (Project Kestrel).\n")
    write_article(kb, "offline-beta", title="Offline mode harbor sync", status="draft",
          body="The Harbor sync engine keeps boards offline.\n")
    write_article(kb, "classic-boards", title="Legacy classic boards", status="archived",
          body="Classic boards were retired in 2024.\n")


def test_incremental_reindex_embeds_only_changed_chunks(kb_dir: Path, embedder: Embedder) -> None:
    small_kb(kb_dir)
    settings = settings_for(kb_dir.parent)
    counting = CountingEmbedder(embedder)
    first = workspace(settings, counting).update_index()
    assert first.embedded == first.chunks == counting.texts
    counting.reset()

    (kb_dir / "export-csv.md").write_text(
        article_text("export-csv", title="Export a project to CSV",
                     body="Download tasks as a spreadsheet.\n\n## Steps\n\n1. Open the project.\n2. Choose Share > Spreadsheet export.\n")
    )
    second = workspace(settings, counting).update_index()
    assert counting.texts == second.embedded == 1  # only the edited Steps chunk
    retriever = workspace(settings, counting).index
    hit = retriever.search("share spreadsheet export", k=1)[0]
    assert hit.article_id == "export-csv" and "Spreadsheet export" in hit.best.text

    (kb_dir / "reset-password.md").unlink()
    counting.reset()
    third = workspace(settings, counting).update_index()
    assert counting.texts == 0 and third.deleted == 2
    retriever = workspace(settings, counting).index
    assert not any(c.startswith("reset-password#") for c in retriever.manifest.chunks)
    assert retriever.store.count() == third.chunks
    found = retriever.search("forgot password sign-in link", k=5, scope=Scope.INTERNAL)
    assert "reset-password" not in [h.article_id for h in found]


@pytest.mark.parametrize("query", [
    "Refund approval playbook Kestrel", "Offline mode harbor sync", "Legacy classic boards",
    "Refunds over $500 need a team lead", "Harbor sync engine",
])
def test_customer_scope_never_returns_hidden_articles(kb_dir: Path, embedder: Embedder, query: str) -> None:
    small_kb(kb_dir)
    settings = settings_for(kb_dir.parent)
    workspace(settings, embedder).update_index()
    retriever = workspace(settings, embedder).index
    customer = retriever.search(query, k=10, scope=Scope.CUSTOMER)
    assert {h.article_id for h in customer} <= {"reset-password", "export-csv"}
    for method_hits in retriever.rankings(query, Scope.CUSTOMER).values():
        assert all(retriever.manifest.chunks[c].public for c, _ in method_hits)
    internal = retriever.search(query, k=1, scope=Scope.INTERNAL)
    assert internal[0].article_id in {"refund-playbook", "offline-beta", "classic-boards"}


def test_missing_or_corrupt_index_is_rebuilt_with_a_message(kb_dir: Path, embedder: Embedder) -> None:
    small_kb(kb_dir)
    settings = settings_for(kb_dir.parent)
    messages: list[str] = []
    retriever = workspace(settings, embedder, notify=messages.append).index
    assert "no index has been built yet" in messages[0]
    assert retriever.search("forgot password", k=1)[0].article_id == "reset-password"
    paths = IndexPaths(settings.index_dir)
    paths.manifest.write_text("{not json")
    shutil.rmtree(paths.lexical)
    messages.clear()
    retriever = workspace(settings, embedder, notify=messages.append).index
    assert "corrupt" in messages[0]
    assert retriever.search("forgot password", k=1)[0].article_id == "reset-password"


def test_cli_index_then_search_demo(tmp_path: Path) -> None:
    shutil.copytree(REPO / "kb", tmp_path / "kb")
    shutil.copy(REPO / "kbops.toml", tmp_path / "kbops.toml")
    built = run_kbops("index", "--json", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["chunks"] > 100 and report["embedded"] == report["chunks"]
    again = json.loads(run_kbops("index", "--json", cwd=tmp_path).stdout)
    assert again["embedded"] == 0 and again["unchanged"] == report["chunks"]
    found = run_kbops("search", "how do I reset my password", "--json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert hits[0]["article_id"] == "reset-password"
    internal = run_kbops("search", "Refund approval playbook", "--json", cwd=tmp_path)
    assert "refund-approval-playbook" not in internal.stdout
    table = run_kbops("search", "export my project to a spreadsheet", cwd=tmp_path)
    assert "export-project-csv" in table.stdout
