"""Every way an index file can be damaged: set aside as `.corrupt` with one message naming
it, rebuilt from the KB, and the same answers as before (the CLI side of each kind of file
is in tests/e2e/test_bad_state.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.index.embed import Embedder
from kbops.index.indexer import IndexUnusable, read_manifest
from kbops.index.lexical import read_lexical_meta
from kbops.workspace import Workspace
from tests.factories import kb_project, write_article

QUERY = "forgot password sign-in link"


def settings_for(project: Path) -> Settings:
    return Settings(root=project, index={"path": ".kbops/index", "embedding_cache": ""})


def search(project: Path, embedder: Embedder, messages: list[str]) -> list[str]:
    with Workspace(settings_for(project), embedder=embedder, notify=messages.append) as ws:
        return [hit.article_id for hit in ws.index.search(QUERY, k=3)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    project = kb_project(tmp_path_factory.mktemp("built") / "project")
    write_article(project / "kb", "reset-password", title="Reset your password",
                  body="Use the sign-in page link.\n\n## Steps\n\n1. Click **Forgot password**.\n")
    write_article(project / "kb", "export-csv", title="Export a project to CSV",
                  body="Download tasks as a spreadsheet.\n\n## Steps\n\n1. Choose Export > CSV.\n")
    search(project, embedder, [])
    return project


def edit_json(change: Callable[[dict], object]) -> Callable[[Path], None]:  # type: ignore[type-arg]
    def damage(path: Path) -> None:
        payload = json.loads(path.read_text())
        change(payload)
        path.write_text(json.dumps(payload))
    return damage


def set_item(key: str, value: object) -> Callable[[dict], object]:  # type: ignore[type-arg]
    return lambda payload: payload.__setitem__(key, value)


def replace_with_file(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.write_text("x")


def replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "manifest-not-json": ("manifest.json", lambda p: p.write_text("{not json"), "manifest.json"),
    "manifest-a-list": ("manifest.json", lambda p: p.write_text("[1, 2]"), "manifest.json"),
    "manifest-other-version": ("manifest.json", edit_json(set_item("version", 7)), "manifest.json"),
    "manifest-no-chunks": ("manifest.json", edit_json(lambda m: m.pop("chunks")), "manifest.json"),
    "manifest-chunk-type": ("manifest.json", edit_json(lambda m: m["chunks"][0].update(line="seven")), "manifest.json"),
    "manifest-a-folder": ("manifest.json", lambda p: replace_with_folder(p), "manifest.json"),
    "lexical-ids-a-list": ("lexical/chunks.json", lambda p: p.write_text("[]"), "lexical"),
    "lexical-mask-short": ("lexical/chunks.json", edit_json(lambda m: m["public"].pop()), "lexical"),
    "lexical-ids-numbers": ("lexical/chunks.json", edit_json(lambda m: m.update(ids=[1] * len(m["ids"]))), "lexical"),
    "bm25-params": ("lexical/bm25/params.index.json", lambda p: p.write_text("{"), "lexical"),
    "bm25-vocab": ("lexical/bm25/vocab.index.json", lambda p: p.write_text('{"password": 99999}'), "lexical"),
    "bm25-array-truncated": ("lexical/bm25/data.csc.index.npy", lambda p: p.write_bytes(p.read_bytes()[:90]), "lexical"),
    "bm25-array-swapped": ("lexical/bm25/indptr.csc.index.npy",
                           lambda p: shutil.copy(p.with_name("indices.csc.index.npy"), p), "lexical"),
    "lexical-a-file": ("lexical", replace_with_file, "lexical"),
    "chroma-sqlite": ("chroma/chroma.sqlite3", lambda p: p.write_bytes(b"garbage" * 100), "chroma"),
    "chroma-a-file": ("chroma", replace_with_file, "chroma"),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_damaged_index_is_set_aside_and_rebuilt(built: Path, tmp_path: Path, embedder: Embedder, case: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(built, project)
    target, damage, name = DAMAGE[case]
    damage(project / ".kbops" / "index" / target)
    messages: list[str] = []
    assert search(project, embedder, messages) == search(built, embedder, [])
    assert len(messages) == 1, messages
    assert f"{name}: " in messages[0] and f"moved it to {name}.corrupt" in messages[0]
    assert (project / ".kbops" / "index" / f"{name}.corrupt").exists()
    messages.clear()
    assert search(project, embedder, messages) == search(built, embedder, []) and messages == []


def test_index_folder_replaced_by_a_file(built: Path, tmp_path: Path, embedder: Embedder) -> None:
    project = tmp_path / "project"
    shutil.copytree(built, project)
    replace_with_file(project / ".kbops")
    messages: list[str] = []
    assert search(project, embedder, messages) == search(built, embedder, [])
    assert len(messages) == 1 and ".kbops: is a file, not a folder; moved it to .kbops.corrupt" in messages[0]


def test_readers_say_why_a_file_is_unusable(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    with pytest.raises(IndexUnusable, match="no index has been built yet") as missing:
        read_manifest(manifest)
    assert missing.value.damaged is None  # missing is not damaged: nothing to set aside
    manifest.write_text('{"version": 1, "chunks": [{"id": 5}]}')
    with pytest.raises(IndexUnusable, match=r"corrupt \(chunks\.0\.id: Input should be a valid string") as bad:
        read_manifest(manifest)
    assert bad.value.damaged == manifest
    (tmp_path / "chunks.json").write_text('{"version": 1, "ids": ["a", "b"], "public": [1]}')
    with pytest.raises(ValueError, match="one 0/1 flag per chunk id"):
        read_lexical_meta(tmp_path)
