"""Hand-off notes rendered through the shipped templates, a team's override and broken
templates; personal data and untrusted Markdown never get through."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest

from kbops.handoff.build import HANDOFF_VERSION, Receiver
from kbops.handoff.context import AffectedAccount
from kbops.handoff.render import HandoffTemplateError, render_note
from tests.handoff.notes import history_ticket, note_for

BUG = ("Saving a task fails with HTTP 502 and the message 'Could not save task' on Chrome 131, macOS 14.5. "
       "I already cleared the cache and reinstalled the desktop app. The board has about 5069 tasks.")
PII = {"email": "jane.doe@example.com", "phone": "+1 415 555 0132", "card": "4111 1111 1111 1111",
       "ip": "203.0.113.77"}
JSON_KEYS = {"version", "ticket_id", "to", "problem", "steps_tried", "diagnostics", "affected_accounts", "customer",
             "next_step", "articles", "markdown"}


def test_engineering_gets_the_reproduction_and_the_spread() -> None:
    ticket = history_ticket("T-9", BUG, subject="Cannot save tasks")
    affected = (AffectedAccount("acme", "business", 2, ("T-9", "T-7"), True),
                AffectedAccount("globex", "pro", 3, ("T-8", "T-6", "T-5"), False))
    note = note_for(ticket, Receiver.engineering, affected=affected)
    text = render_note(note)
    assert text.startswith("## Hand-off to Engineering: `T-9`\n")
    assert "- I already cleared the cache and reinstalled the desktop app." in text
    assert "- HTTP status: `502`" in text
    assert "- Error messages: `Could not save task`" in text
    assert "- Environment: Chrome 131, macOS 14.5, desktop app" in text
    assert "- Scale: about 5069 tasks" in text
    assert "2 accounts, 5 tickets about the same problem" in text
    assert "- `globex` (`pro`): 3 (`T-8`, `T-6`, `T-5`)" in text
    assert note.next_step.startswith("Reproduce on Chrome 131, macOS 14.5, desktop app with about 5069 tasks, "
                                     "expecting 'Could not save task', HTTP 502.")
    assert "2 accounts (5 tickets) reported the same problem in the last 14 days" in note.next_step
    assert f"**Recommended next step:** {note.next_step[:40]}" in text


def test_success_gets_the_account_and_its_health() -> None:
    earlier = [history_ticket(f"T-{n}", "Sync broke again.", days_before=10 - n, status="escalated",
                              sentiment=0.2 - 0.3 * n, csat=3 - n) for n in range(3)]
    ticket = history_ticket("T-9", "Sync broke again, this is unacceptable.", sentiment=-0.9, status="escalated")
    note = note_for(ticket, Receiver.success, window=earlier)
    text = render_note(note)
    assert "## Hand-off to Customer Success: `T-9`" in text
    assert "- Account: `acme`, tier `business`, 1,200/month" in text
    assert "- Tickets in the last 14 days: 4, 4 went to a person (100%)" in text
    assert "- Sentiment: worsening (+0.2 → -0.1 → -0.4 → -0.9, slope -0.36 per ticket)" in text
    assert "- CSAT: 3, 2, 1" in text
    assert "- Health: at risk (`escalations`, `negative_sentiment`, `ticket_volume`), priority high" in text
    assert note.customer.outreach and note.next_step.startswith(note.customer.outreach)
    assert "Their recent ratings include 2 at 2 or below" in note.next_step


def test_sales_gets_plan_seats_and_the_conversation() -> None:
    ticket = history_ticket("T-9", "We want to upgrade to Business for SSO. We are 45 seats on Pro today.",
                            tier="pro", revenue=450.0)
    note = note_for(ticket, Receiver.sales)
    text = render_note(note)
    assert "## Hand-off to Sales: `T-9`" in text
    assert "- Plan: `pro`, 450/month" in text
    assert "- Seats: 45" in text
    assert "Signals in the wording: `upgrade`, `enterprise feature`" in text
    assert note.next_step.startswith("Call the pro account for 45 seats: walk them through the upgrade")


def test_a_ticket_the_agent_would_answer_is_handed_off_with_the_draft_not_sent() -> None:
    note = note_for(history_ticket("T-9", BUG), Receiver.engineering, answered=True)
    text = render_note(note)
    assert "The agent would have answered this ticket; it was handed off instead. Its draft was **not sent**." in text
    assert "<summary>Agent's draft (not sent)</summary>" in text
    payload = note.as_dict(text)
    assert JSON_KEYS <= set(payload) and payload["version"] == HANDOFF_VERSION
    assert payload["agent"]["action"] == "answer" and payload["agent"]["draft_sent"] is False


@pytest.mark.parametrize("to", list(Receiver))
def test_personal_data_never_reaches_the_note(to: Receiver) -> None:
    body = (f"I tried again from {PII['ip']}: still 'Error 500'. Call me on {PII['phone']} or mail {PII['email']}. "
            f"The card {PII['card']} was charged twice.")
    ticket = history_ticket("T-9", body, subject=f"Charged twice, {PII['email']}")
    note = note_for(ticket, to)
    text = render_note(note)
    dumped = json.dumps(note.as_dict(text))
    for kind, value in PII.items():
        digits = re.sub(r"\D", "", value)
        for shown in (text, dumped):
            assert value not in shown, kind
            if digits:
                assert digits not in re.sub(r"\D", "", shown), kind
    assert "\\[EMAIL\\]" in text and "[EMAIL]" in dumped  # masked, and the placeholder escaped in Markdown


@pytest.mark.parametrize("to", list(Receiver))
def test_untrusted_markdown_and_html_in_a_ticket_are_escaped(to: Receiver) -> None:
    subject = "<img src=x onerror=alert(1)> [click](http://evil.example) **now** @support-team"
    body = ("<script>alert(1)</script> I already tried <b>everything</b>.\n```\n</details><a href='http://evil.example'>"
            "x</a>\n# Heading\nWe want to upgrade.")
    note = note_for(history_ticket("T-9", body, subject=subject), to)
    html = markdown.markdown(render_note(note), extensions=["fenced_code"])
    assert not re.search(r"<(?:img|script|b|a)\b", html), html
    assert "<h1>" not in html and "<strong>now</strong>" not in html
    assert html.count("<details>") == html.count("</details>") <= 1


def test_a_team_template_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "sales.md.j2").write_text("Sales note for {{ ticket.id }} ({{ customer.tier }}): {{ next_step }}\n")
    note = note_for(history_ticket("T-9", "Can we add 10 more seats?"), Receiver.sales)
    assert render_note(note, tmp_path) == f"Sales note for `T-9` (`business`): {note.next_step}\n"
    assert render_note(note_for(history_ticket("T-9", BUG), Receiver.engineering), tmp_path).startswith(
        "## Hand-off to Engineering")  # the other functions keep the shipped templates


def test_a_broken_template_is_named_with_its_line(tmp_path: Path) -> None:
    note = note_for(history_ticket("T-9", BUG), Receiver.engineering)
    template = tmp_path / "engineering.md.j2"
    template.write_text("# {{ ticket.id }}\n\n{% for step in steps_tried %}\n- {{ step }\n")
    with pytest.raises(HandoffTemplateError, match=r"engineering\.md\.j2:4: template syntax error") as raised:
        render_note(note, tmp_path)
    assert raised.value.exit_code == 2
    template.write_text("# {{ ticket.id }}\n\nOwner: {{ customer.owner }}\n")
    with pytest.raises(HandoffTemplateError, match=r"engineering\.md\.j2:3: cannot render .*'owner'"):
        render_note(note, tmp_path)
    template.write_text("{{ ticket.id.__class__.__mro__ }}\n")  # the sandbox: no way to Python internals
    with pytest.raises(HandoffTemplateError, match=r"engineering\.md\.j2:1"):
        render_note(note, tmp_path)
