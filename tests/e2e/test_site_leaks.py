"""`kbops site build` on the demo KB seeded with every leak case (tests/site/leaks.py):
grepping every built file, the search index included, finds none of the secret markers,
no owner name, no internal path and no live HTML (scripts, handlers, frames,
`javascript:`/`data:` URLs); what customers should see is still there."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_kbops
from tests.factories import site_project
from tests.site.leaks import VISIBLE, LeakCases, seed_leak_cases

pytestmark = pytest.mark.slow

INTERNAL_PATHS = ("internal-secrets", "upcoming-feature", "agent-notes", "outside-article", "playbook", "/etc/hostname")
TAG = re.compile(r"<([a-zA-Z][^\s/>]*)((?:\s*[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>")
ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def every_file(site: Path) -> dict[str, str]:
    """Every built file as text: raw, HTML entities decoded, and a JSON file's strings."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            raw = path.read_bytes().decode("utf-8", errors="replace")
            if path.suffix == ".json":
                raw += "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
            texts[path.relative_to(site).as_posix()] = (raw + "\n" + html.unescape(raw)).casefold()
    return texts


def live_html(page: str) -> list[str]:
    """Elements and attributes a browser would run or load, outside script bodies."""
    page = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", page, flags=re.DOTALL | re.IGNORECASE)
    found = []
    for tag in TAG.finditer(page):
        name = tag.group(1).lower()
        if name in {"iframe", "object", "embed", "frame", "base", "math", "template", "noscript"}:
            found.append(f"<{name}>")
        for attribute in ATTRIBUTE.finditer(tag.group(2)):
            key, value = attribute.group(1).lower(), (attribute.group(2) or "").strip("\"'").strip().lower()
            if key.startswith("on") or value.startswith(("javascript:", "data:", "vbscript:")):
                found.append(f"<{name} {key}={value[:40]}>")
            if name == "meta" and key == "http-equiv":
                found.append(f"<meta http-equiv={value}>")
    return found


def article_of(page: str) -> str:
    return page.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]


@pytest.fixture(scope="module")
def leak_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LeakCases, dict]:
    root = tmp_path_factory.mktemp("leaks")
    project = site_project(root)
    cases = seed_leak_cases(project, root / "outside")
    done = run_kbops("site", "build", "--no-strict", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return project, cases, json.loads(done.stdout)


def test_no_leak_case_reaches_any_built_file(leak_site: tuple[Path, LeakCases, dict]) -> None:
    project, cases, _ = leak_site
    texts = every_file(project / "site" / "build")
    assert "search/search_index.json" in texts and len(texts) > 100
    for name, marker in cases.markers.items():
        hits = [path for path, text in texts.items() if marker.casefold() in text]
        assert not hits, f"{name}: {marker} published in {hits}"
    for needle in (*cases.owners, *INTERNAL_PATHS, "Secret internal procedures", "root:x:0"):
        hits = [path for path, text in texts.items() if needle.casefold() in text]
        assert not hits, f"{needle!r} published in {hits}"
    # The grep can find things: the article's visible text is on its page and in the index.
    for visible in VISIBLE:
        assert visible.casefold() in texts["leaky-guide/index.html"], visible
    assert all(v.casefold() in texts["search/search_index.json"] for v in VISIBLE[:2])


def test_only_the_public_attachment_is_published(leak_site: tuple[Path, LeakCases, dict]) -> None:
    project, cases, report = leak_site
    site = project / "site" / "build"
    published = sorted(p.relative_to(site).as_posix() for p in (site / "attachments").rglob("*") if p.is_file())
    assert published == [cases.public_attachment]
    assert report["assets"] == [cases.public_attachment]
    assert not (site / "notes").exists() and not (site / "mirror").exists()
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert not [p for p in site.rglob("*") if p.suffix.casefold() in {".md", ".csv", ".pdf", ".txt"}]
    page = (site / "leaky-guide" / "index.html").read_text()
    assert 'src="../attachments/leaky-guide/ok.png"' in page and 'href="../attachments/leaky-guide/ok.png"' in page


def test_no_live_html_survives(leak_site: tuple[Path, LeakCases, dict]) -> None:
    project, _, _ = leak_site
    site = project / "site" / "build"
    theme_scripts = len(re.findall(r"<script\b", (site / "404.html").read_text()))
    for path in site.rglob("*.html"):
        page = path.read_text()
        assert live_html(page) == [], (path.name, live_html(page))
        assert len(re.findall(r"<script\b", page)) == theme_scripts, path
        assert "evil.example" not in page, path
    # The article itself holds only what a clean article holds: no form but the feedback
    # widget, no input, no style, no svg but the theme's icons.
    clean, leaky = (article_of((site / page / "index.html").read_text()) for page in ("refund-policy", "leaky-guide"))
    for element in ("<form", "<input", "<style", "<svg", "<textarea", "<button"):
        assert leaky.count(element) == clean.count(element), element
    search = json.loads((site / "search" / "search_index.json").read_text())
    for doc in search["docs"]:
        assert not re.search(r"<(?!/?(?:p|code|pre|li|ol|ul|sub|sup)>)", doc["title"] + doc["text"]), doc["location"]
    # Titles, summaries and tags are escaped text wherever the theme prints them.
    page = (site / "title-injection" / "index.html").read_text()
    assert "<title>Invoices &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; - " in page
    assert 'content="Summary &quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in page
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page and "&amp;lt;" not in page  # escaped once


def test_refusals_are_reported_with_file_and_line(leak_site: tuple[Path, LeakCases, dict]) -> None:
    project, cases, report = leak_site
    reasons = {(link["target"], link["reason"]) for link in report["rewritten_links"] if link["path"] == cases.article}
    for expected in [
        ("attachments/internal-secrets/ledger.csv", "attachment-not-public"),
        ("attachments/upcoming-feature/plan.pdf", "attachment-not-public"),
        ("notes/agent-notes.csv", "attachment-not-public"),
        ("attachments/leaky-guide/internal.txt", "attachment-not-public"),
        ("attachments/leaky-guide/outside.txt", "symlink"),
        ("attachments/leaky-guide/outdir/secret.txt", "symlink"),
        ("attachments/leaky-guide/shared/ledger.csv", "attachment-not-public"),
        ("../kb/internal-secrets.md", "outside-kb"),
        ("/internal-secrets.md", "absolute"),
        ("internal%2Dsecrets.md", "unpublished"),
        ("attachments%2Finternal-secrets%2Fledger.csv", "attachment-not-public"),
        ("playbook.MD", "attachment-not-public"),
        ("attachments/leaky-guide/page.html", "file-type"),
    ]:
        assert expected in reasons, expected
    assert {"hidden-text", "unsafe-html"} == {note["code"] for note in report["removed_html"]}
    assert report["comments_removed"] == 2

    strict = run_kbops("site", "build", cwd=project)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert f"{cases.article}:" in strict.stderr and "(symlink) was unlinked" in strict.stderr

    lint = run_kbops("lint", "--format", "json", cwd=project)
    findings = [f for f in json.loads(lint.stdout)["findings"] if f["path"] == cases.article]
    codes = {f["code"] for f in findings}
    assert {"attachment-not-public", "hidden-text", "unsafe-html"} <= codes
    assert lint.returncode == 1
