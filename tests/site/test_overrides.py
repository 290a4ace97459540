"""Theme overrides: the ones shipped inside kbops are staged for every build (a new repo
needs no custom_dir), and a project's own `theme.custom_dir` files go on top of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kbops.config import Settings
from kbops.errors import ConfigError
from kbops.kb.model import KnowledgeBase
from kbops.site.model import SiteProject
from kbops.site.stage import OVERRIDES_DIR, stage_site
from tests.conftest import REPO

SHIPPED = ("404.html", "partials/integrations/analytics/kbops.html")


def staged(tmp_path: Path, theme: Any) -> tuple[Path, dict[str, Any]]:
    """Stage an empty KB with mkdocs.yml's theme set to `theme`; (overrides, derived config)."""
    (tmp_path / "kb").mkdir(exist_ok=True)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    config["theme"] = theme
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    settings = Settings(root=tmp_path)
    project = SiteProject.load(settings)
    kb = KnowledgeBase((), (), settings.kb_dir.resolve(), settings.root.resolve())
    report = stage_site(kb, settings, project, tmp_path / "build")
    derived = yaml.safe_load(Path(report.config_file).read_text())
    return project.staging / OVERRIDES_DIR, derived


def test_the_shipped_overrides_are_staged_without_a_custom_dir(tmp_path: Path) -> None:
    overrides, derived = staged(tmp_path, {"name": "material"})
    assert derived["theme"] == {"custom_dir": str(overrides)}  # the name comes from INHERIT
    assert all((overrides / name).is_file() for name in SHIPPED)
    assert "Page not found" in (overrides / "404.html").read_text()


def test_the_projects_own_overrides_go_on_top(tmp_path: Path) -> None:
    own = tmp_path / "theme"
    (own / "partials").mkdir(parents=True)
    (own / "404.html").write_text("{% extends 'main.html' %}ours")
    (own / "partials" / "footer.html").write_text("our footer")
    overrides, derived = staged(tmp_path, {"name": "material", "custom_dir": "theme"})
    assert derived["theme"]["custom_dir"] == str(overrides)
    assert (overrides / "404.html").read_text() == "{% extends 'main.html' %}ours"
    assert (overrides / "partials" / "footer.html").read_text() == "our footer"
    assert (overrides / SHIPPED[1]).is_file()  # kbops' feedback provider is still there
    assert (own / "404.html").read_text() == "{% extends 'main.html' %}ours"  # copied, never moved


def test_a_theme_given_by_name_keeps_its_name(tmp_path: Path) -> None:
    overrides, derived = staged(tmp_path, "material")
    assert derived["theme"] == {"custom_dir": str(overrides), "name": "material"}


def test_a_custom_dir_that_is_not_a_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"theme.custom_dir 'nowhere' is not a folder"):
        staged(tmp_path, {"name": "material", "custom_dir": "nowhere"})


def test_a_custom_dir_naming_the_staged_folder_is_not_copied_onto_itself(tmp_path: Path) -> None:
    overrides, derived = staged(tmp_path, {"name": "material", "custom_dir": "site/.staging/overrides"})
    assert derived["theme"]["custom_dir"] == str(overrides)
    assert all((overrides / name).is_file() for name in SHIPPED)
