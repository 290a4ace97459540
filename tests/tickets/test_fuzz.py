"""Hostile ticket files: whatever a JSONL, NDJSON, Zendesk or CSV file holds, reading it
gives tickets and problems at `file:line`, or one TicketError (exit 2) naming the file;
never a crash. Hypothesis writes the records; the named cases are the ones that crashed."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbops.config import EvalSettings
from kbops.tickets.files import check_ticket_file
from kbops.tickets.limits import MAX_JSON_DEPTH
from kbops.tickets.model import TicketError, TicketSet
from tests.conftest import run_kbops

FUZZ = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TICKET_KEYS = ["id", "body", "subject", "resolution", "customer", "tier", "tags", "resolved_by_article_ids",
               "created_at", "channel", "comments", "requester_id", "via", "public", "author_id", "plain_body",
               "html_body", "organization_id", "custom_fields", "tickets"]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(TICKET_KEYS) | st.text(max_size=6), inner, max_size=5), max_leaves=20)
records = st.dictionaries(st.sampled_from(TICKET_KEYS), json_values, max_size=8) | json_values


def read(path: Path, format: str) -> TicketSet | None:
    """The file read as `kbops tickets check` reads it; None when it is refused as a whole."""
    try:
        found = check_ticket_file(path, EvalSettings(), format=format).tickets
    except TicketError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc), exc
        return None
    for problem in found.problems:
        rendered = problem.render()
        assert re.match(rf"{re.escape(str(path))}:\d+\b", rendered), rendered
        assert problem.line >= 1 and "\n" not in rendered
    return found


@FUZZ
@given(st.lists(records, max_size=6))
def test_any_jsonl_records(tmp_path: Path, rows: list[object]) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    read(path, "jsonl")
    read(path, "auto")


@FUZZ
@given(st.lists(records, max_size=6), st.sampled_from(["document", "list", "ndjson"]))
def test_any_zendesk_export(tmp_path: Path, rows: list[object], shape: str) -> None:
    path = tmp_path / "export.json"
    if shape == "document":
        path.write_text(json.dumps({"tickets": rows}, indent=2))
    elif shape == "list":
        path.write_text(json.dumps(rows, indent=1))
    else:
        path.write_text("\n".join(json.dumps(row) for row in rows))
    read(path, "zendesk")


@FUZZ
@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=5), max_size=6))
def test_any_csv_rows(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "export.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "body", "customer_tier", "tags"])
    writer.writerows(rows)
    path.write_text(out.getvalue())
    read(path, "csv")


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["jsonl", "zendesk", "csv", "auto"]))
def test_any_bytes(tmp_path: Path, data: bytes, format: str) -> None:
    path = tmp_path / "tickets.data"
    path.write_bytes(data)
    read(path, format)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("name", "text", "format", "line"),
    [
        ("deep.jsonl", '{"id": "T-1", "body": "ok"}\n{"id": "T-2", "body": "x", "tags": ' + nested(5000) + "}\n",
         "jsonl", 2),
        ("deep.jsonl", '{"id": "T-1", "body": "ok"}\n' + nested(MAX_JSON_DEPTH + 1) + "\n", "jsonl", 2),
        ("deep.ndjson", '{"id": 1, "via": {}}\n{"id": 2, "requester_id": 3, "x": ' + nested(3000) + "}\n",
         "zendesk", 2),
        ("deep.json", '{"tickets": [\n{"id": 1},\n{"id": 2, "custom_fields": ' + nested(100) + "}\n]}", "zendesk", 3),
    ],
)
def test_deep_nesting_is_a_problem_at_its_line(tmp_path: Path, name: str, text: str, format: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text)
    found = read(path, format)
    assert found is not None
    deep = [p for p in found.problems if "nested more than" in p.message]
    assert [p.line for p in deep] == [line]


def test_a_document_too_deep_to_parse_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"tickets": [\n{"id": 1,\n "x": ' + nested(10_000) + "}]}")
    with pytest.raises(TicketError, match=rf"^{re.escape(str(path))}:3: JSON nested more than {MAX_JSON_DEPTH}"):
        check_ticket_file(path, EvalSettings(), format="zendesk")


@pytest.mark.slow
def test_cli_tickets_check_on_deep_json(tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_text('{"id": "T-1", "body": "ok"}\n{"id": "T-2", "body": ' + nested(100_000) + "}\n")
    checked = run_kbops("tickets", "check", str(path), cwd=tmp_path)
    assert checked.returncode == 0 and "Traceback" not in checked.stderr, checked.stderr
    assert f"{path}:2: JSON nested more than {MAX_JSON_DEPTH} levels deep" in checked.stdout + checked.stderr
