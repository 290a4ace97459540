"""`kbops site build` on a copy of the demo project: nothing internal reaches the help site,
and what customers should see is there (nav, tags, related, last updated, feedback, 404)."""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from kbops.config import load_settings
from kbops.kb.loader import load_kb
from tests.conftest import REPO, run_kbops
from tests.factories import SITE_COMMIT_DATE, site_project

pytestmark = pytest.mark.slow

UNIQUE_STRINGS = {
    "refund-approval-playbook": "Project Kestrel",
    "handling-chargebacks": "Hawthorn evidence pack",
    "enterprise-escalation-matrix": "Bluefin rota",
    "known-issue-duplicate-invoice-emails": "Ledgerline retry storm",
    "verify-account-ownership": "three-of-five proof rule",
    "offline-mode-beta": "Harbor sync engine",
    "custom-fields-in-reports": "Report Builder 2",
    "workload-view-preview": "Larkspur preview program",
    "ai-task-summaries": "Summarize with Quill",
}
"""Text that only the internal and draft demo articles contain."""
STAGED_FIELDS = {"title", "description", "tags", "revision_date", "hide"}


def build_json(project: Path, *args: str) -> dict:
    done = run_kbops("site", "build", "--json", *args, cwd=project)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def site_texts(site: Path) -> dict[Path, str]:
    """Every built file as text (HTML entities decoded, JSON escapes kept readable)."""
    texts = {}
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".txt", ".js", ".css", ".map"}:
            raw = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".json":  # the search index: its strings, unescaped, plus the raw file
                raw += "\n" + "\n".join(_strings(json.loads(raw)))
            texts[path] = html.unescape(raw).casefold()
    return texts


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    project = site_project(tmp_path_factory.mktemp("site"))
    return project, build_json(project)


def demo_articles():
    kb = load_kb(load_settings(REPO / "kbops.toml"))
    return [a for a in kb.articles if a.is_public], [a for a in kb.articles if not a.is_public]


def test_nothing_internal_draft_or_archived_is_in_the_built_site(demo_site: tuple[Path, dict]) -> None:
    project, report = demo_site
    public, unpublished = demo_articles()
    texts = site_texts(project / "site" / "build")
    assert len(texts) > 50 and sum(p.name == "search_index.json" for p in texts) == 1

    # The grep can find things: public titles are on their pages and in the search index.
    search_index = next(t for p, t in texts.items() if p.name == "search_index.json")
    for article in public:
        assert article.title.casefold() in search_index, article.id
        assert (project / "site" / "build" / article.id / "index.html").is_file(), article.id

    statuses = {a.id: f"{a.meta.audience}/{a.meta.status}" for a in unpublished}
    assert set(statuses.values()) == {"internal/published", "public/draft", "public/archived"}
    assert {item["id"]: item["reason"] for item in report["excluded"]} == statuses
    assert set(UNIQUE_STRINGS) <= set(statuses)
    for article in unpublished:
        needles = [article.title.casefold(), f"/{article.id}/", f"{article.id}.md"]
        if article.id in UNIQUE_STRINGS:
            unique = UNIQUE_STRINGS[article.id]
            assert unique in article.body, f"{unique!r} is no longer in {article.path}"
            needles.append(unique.casefold())
        for needle in needles:
            hits = [str(path.relative_to(project)) for path, text in texts.items() if needle in text]
            assert not hits, f"{article.id}: {needle!r} found in {hits}"
        assert not (project / "site" / "build" / article.id).exists()
    assert 'id="tag:internal"' not in texts[project / "site" / "build" / "tags" / "index.html"]


def test_owner_and_review_fields_stay_out_of_the_site(demo_site: tuple[Path, dict]) -> None:
    project, _ = demo_site
    public, unpublished = demo_articles()
    owners = {a.meta.owner for a in public + unpublished if a.meta.owner}
    assert len(owners) >= 5
    texts = site_texts(project / "site" / "build")
    for owner in owners:
        hits = [path.name for path, text in texts.items() if owner.casefold() in text]
        assert not hits, f"owner {owner} found in {hits}"
    for staged in (project / "site" / ".staging" / "docs").rglob("*.md"):
        meta = yaml.safe_load(staged.read_text().split("---\n")[1])
        assert set(meta) <= STAGED_FIELDS, (staged.name, set(meta) - STAGED_FIELDS)
    for text in texts.values():
        assert "review_every_days" not in text and "sensitive:" not in text


def test_pages_load_nothing_from_other_sites(demo_site: tuple[Path, dict]) -> None:
    project, _ = demo_site
    site = project / "site" / "build"
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 55
    for page in pages:
        text = page.read_text()
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page
        external = re.findall(r'<(?:script|img|iframe)[^>]+src="(?:https?:)?//', text)
        external += [tag for tag in re.findall(r"<link[^>]+>", text)
                     if re.search(r'href="(?:https?:)?//', tag) and 'rel="canonical"' not in tag]
        assert not external, (page, external)


def test_navigation_tags_related_feedback_and_last_updated(demo_site: tuple[Path, dict]) -> None:
    project, report = demo_site
    site = project / "site" / "build"
    staged_config = yaml.safe_load((project / "site" / ".staging" / "mkdocs.yml").read_text())
    sections = [next(iter(item)) for item in staged_config["nav"]]
    assert sections[0] == "Home" and sections[-1] == "Tags"
    assert {"Billing", "Account", "Technical", "Security", "Integrations", "Getting started"} <= set(sections)
    assert "Feature request" not in sections and "Bug" not in sections  # only drafts / internal there

    tags = (site / "tags" / "index.html").read_text()
    api_section = tags.split('id="tag:api"')[1].split("<h2")[0]
    assert "API error codes" in api_section and "Paginate API results" in api_section
    assert "Using API v1 keys" not in tags  # archived, though tagged `api`

    refund = (site / "refund-policy" / "index.html").read_text()
    related = refund.split('id="related-articles"')[1]
    assert 'href="../upgrade-downgrade-plan/"' in related and 'href="../monthly-vs-yearly-billing/"' in related
    assert 'class="md-feedback"' in refund and "Was this article helpful?" in refund
    assert SITE_COMMIT_DATE.date().isoformat() in refund.split('class="md-source-file"')[1]
    assert report["dated_by_git"] == len(report["published"]) and report["dated_by_file"] == []
    home = (site / "index.html").read_text()
    assert 'class="md-feedback"' not in home
    assert 'href="reset-password/"' in home
    assert report["dropped_related"] == []
    missing = (site / "404.html").read_text()
    assert "Page not found" in missing and 'class="md-nav' in missing and 'href="/."' in missing


def test_mkdocs_build_strict_passes_on_the_staged_config(demo_site: tuple[Path, dict], tmp_path: Path) -> None:
    project, report = demo_site
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", report["config_file"], "-d", str(tmp_path / "out")],
        cwd=project, capture_output=True, text=True, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    assert (tmp_path / "out" / "refund-policy" / "index.html").is_file()
    assert not (tmp_path / "out" / "refund-approval-playbook").exists()
    # The project's own mkdocs.yml reads the same staged folder (no generated nav): also strict-clean.
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "root")],
        cwd=project, capture_output=True, text=True, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "root" / "refund-policy" / "index.html").is_file()


def test_links_to_excluded_articles_become_text_and_leaked_titles_fail_strict(tmp_path: Path) -> None:
    project = site_project(tmp_path)
    policy = project / "kb" / "refund-policy.md"
    policy.write_text(
        policy.read_text().replace("related: [", "related: [refund-approval-playbook, ", 1)
        + "\nSupport follows [the approval steps](refund-approval-playbook.md#approval-limits) for you.\n"
        + "\n<!-- note for agents: Project Kestrel decides these -->\n"
    )
    report = build_json(project)
    assert [(link["target"], link["reason"]) for link in report["rewritten_links"]] == [
        ("refund-approval-playbook.md#approval-limits", "unpublished")
    ]
    assert report["comments_removed"] == 1 and report["leaks"] == []
    assert report["dropped_related"] == [{"article": "refund-policy", "related": "refund-approval-playbook"}]
    assert report["dated_by_file"] == ["refund-policy"]  # edited since the commit: file date
    page = (project / "site" / "build" / "refund-policy" / "index.html").read_text()
    assert "Support follows the approval steps for you." in page
    assert date.today().isoformat() in page.split('class="md-source-file"')[1]
    for text in site_texts(project / "site" / "build").values():
        assert "refund-approval-playbook" not in text and "project kestrel" not in text
    warned = run_kbops("site", "build", cwd=project)
    assert warned.returncode == 0 and "1 links to unpublished articles" in warned.stderr
    lint = run_kbops("lint", "--format", "json", cwd=project)
    assert "link-to-unpublished" in {f["code"] for f in json.loads(lint.stdout)["findings"]}

    # A link whose text is the internal article's title would show that title: strict refuses.
    policy.write_text(policy.read_text() + "\nSee [Refund approval playbook (internal)](refund-approval-playbook.md).\n")
    refused = run_kbops("site", "build", cwd=project)
    assert refused.returncode == 1
    assert "Refund approval playbook (internal)" in refused.stderr and "refund-approval-playbook" in refused.stderr
    lenient = build_json(project, "--no-strict")
    assert [leak["article_id"] for leak in lenient["leaks"]] == ["refund-approval-playbook"]


def test_build_makes_no_network_connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbops.site.build import build_site
    from kbops.workspace import Workspace

    project = site_project(tmp_path)
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    settings = load_settings(project / "kbops.toml")
    report = build_site(Workspace(settings).kb, settings, strict=True)
    assert report.pages >= 55 and report.warnings == ()
    assert attempts == []
