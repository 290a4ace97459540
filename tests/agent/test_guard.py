"""The output guard: a table of replies that must be stopped and replies that must pass,
checked against the demo KB (internal, draft and archived articles, owners, public links)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.agent.guard import ReplyGuard, site_hosts
from kbops.agent.policy.promises import unsafe_promises
from kbops.config import Settings
from kbops.kb.loader import load_kb
from tests.conftest import REPO

STOP: list[tuple[str, str]] = [
    # promises of actions only a human may take, in every language the gates know
    ("We have issued your refund; it will show on your card in 5 days.", "promise:refund"),
    ("I've processed a full refund for last month.", "promise:refund"),
    ("I'll refund the $49 right away.", "promise:refund"),
    ("Your refund has been approved.", "promise:refund"),
    ("The difference has been put back on your card.", "promise:refund"),
    ("Hemos procesado su reembolso.", "promise:refund"),
    ("Ihre Rückerstattung wurde veranlasst.", "promise:refund"),
    ("Nous avons effectué le remboursement.", "promise:refund"),
    ("Abbiamo emesso il rimborso.", "promise:refund"),
    ("As a goodwill gesture we've added a $20 credit to your account.", "promise:credit"),
    ("Your next invoice is on us.", "promise:credit"),
    ("Your account and all data have been deleted.", "promise:account-deletion"),
    ("We have closed your workspace as requested.", "promise:account-deletion"),
    ("Su cuenta ha sido eliminada.", "promise:account-deletion"),
    ("Ihr Konto wurde gelöscht.", "promise:account-deletion"),
    ("I have disabled two-factor authentication so you can sign in.", "promise:account-change"),
    ("2FA has been turned off on your account.", "promise:account-change"),
    ("Ownership has been transferred to you; you're now the workspace owner.", "promise:account-change"),
    ("We've changed your login email to the new address.", "promise:account-change"),
    ("Your password has been reset.", "promise:account-change"),
    ("I have cancelled your subscription.", "promise:cancellation"),
    ("W e  h a v e  i s s u e d  y o u r  r e f u n d", "obfuscated"),
    ("R.E.F.U.N.D. done", "obfuscated"),
    # internal knowledge
    ("Good news: up to $100, any support specialist can approve, if the request matches the public policy.",
     "internal-text"),
    ("Tag the ticket kestrel-lead-review and assign it to the billing team lead on duty.", "internal-text"),
    ("See [the approval playbook](https://help.tasklane.example/refund-approval-playbook/).", "internal-link"),
    ("Details are in kb/refund-approval-playbook.md", "internal-link"),
    ("Your case follows the enterprise-escalation-matrix.", "internal-link"),
    ("maria.lopez looks after this article and will get back to you.", "owner-name"),
    ("Your question went to Jon Brooks in our team.", "owner-name"),
    # markup and elsewhere
    ("Click <a href='javascript:alert(1)'>here</a> to continue.", "html"),
    ("<img src=x onerror=alert(document.cookie)>", "html"),
    ("<script>fetch('https://x.example')</script>", "html"),
    ("[Open settings](javascript:alert(1))", "html"),
    ("<iframe src=//x.example></iframe>", "html"),
    ("<div style=\"display:none\">ignore this</div> Choose Export.", "html"),
    ("<kbd onclick=steal()>Ctrl</kbd>", "html"),
    ("<details><summary>More</summary>text</details>", "html"),
    ("Log in again at https://tasklane-support.example.net/login to confirm.", "outside-link"),
    ("Download the fix from [here](http://203.0.113.7/fix.exe).", "outside-link"),
    ("See www.phish.example for the new portal.", "outside-link"),
]

PASS: list[str] = [
    "Open the project, choose **Export → CSV**, and the file downloads.",
    "We issue refunds within 14 days of purchase; a member of our billing team reviews every request.",
    "Refund requests are always reviewed by a member of our billing team; they can't be approved automatically.",
    "To delete your account, open Settings → Account → Delete workspace (owners only).",
    "You can reset your password from the sign-in page with **Forgot password**.",
    "To turn off two-factor authentication, open Profile → Security.",
    "Use `cursor=<next_cursor>` on the next request to get the following page.",
    "```\nGET /v2/projects?cursor=<next_cursor>\n```",
    "Restart the server with <install_dir>/bin/start.sh, then open https://<domain>/admin on <platform>.",
    "Press <kbd>Ctrl</kbd> + <kbd>K</kbd> to search; H<sub>2</sub>O and x<sup>2</sup> render as written.",
    "Full article: [Export a project to CSV](https://help.tasklane.example/export-project-csv/)",
    "The API lives at https://api.tasklane.example/v2/projects (see the API article).",
    "Write to privacy@tasklane.example or call +1 415 555 0100 if you need more help.",
    "The owner of a workspace can invite members from Settings → Members.",
]


@pytest.fixture(scope="module")
def guard() -> ReplyGuard:
    kb = load_kb(Settings(root=REPO))
    return ReplyGuard(kb.by_id(), site_hosts("https://help.tasklane.example/{id}/"))


@pytest.mark.parametrize(("reply", "problem"), STOP, ids=[f"{p}:{r[:32]}" for r, p in STOP])
def test_a_reply_that_must_not_reach_a_customer_is_stopped(guard: ReplyGuard, reply: str, problem: str) -> None:
    assert problem in guard.check(reply)


@pytest.mark.parametrize("reply", PASS, ids=[r[:40] for r in PASS])
def test_a_safe_reply_passes(guard: ReplyGuard, reply: str) -> None:
    assert guard.check(reply) == {}


def test_every_public_section_of_the_demo_kb_may_be_quoted(guard: ReplyGuard) -> None:
    """The offline backend quotes public sections: none of them may trip the guard."""
    kb = load_kb(Settings(root=REPO))
    tripped = {a.id: guard.check(s.text) for a in kb.articles if a.is_public for s in a.sections if s.text}
    assert {article: found for article, found in tripped.items() if found} == {}


def test_text_shared_with_a_public_article_is_not_internal(tmp_path: Path) -> None:
    """A sentence an internal article copies from a public one may be said to customers."""
    from tests.factories import write_article

    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    shared = "Open the billing page and download every invoice of the last twelve months as a PDF file."
    write_article(kb_dir, "invoices", body=f"{shared}\n")
    write_article(kb_dir, "invoices-internal", audience="internal",
                  body=f"{shared}\n\nEscalate disputed invoices to the finance rota on Thursdays only please.\n")
    guard = ReplyGuard(load_kb(Settings(root=tmp_path)).by_id())
    assert guard.check(shared) == {}
    assert "internal-text" in guard.check("Escalate disputed invoices to the finance rota on Thursdays only please.")


def test_promises_are_read_after_normalising() -> None:
    assert "refund" in unsafe_promises("We have\u200b issued your r\u0435fund")  # zero-width space, Cyrillic e
    assert unsafe_promises("If approved by billing, refunds go back to the original card.") == {}
