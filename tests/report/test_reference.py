"""The committed reference pages match what the code generates."""

from __future__ import annotations

import pytest

from kbops.report.reference import PAGES
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(PAGES))
def test_docs_page_is_up_to_date(name: str) -> None:
    committed = (REPO / "docs" / name).read_text()
    assert committed == PAGES[name](), f"docs/{name} is stale: run `make docs`"
