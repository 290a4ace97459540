"""What a hand-off reads out of a ticket's text: steps tried, diagnostics, seats and the
sales signals, on tickets written the way customers write them."""

from __future__ import annotations

from kbops.handoff.diagnostics import diagnostics, mask, opportunity_signals, seats, steps_tried

BROKEN_SAVE = (
    "Hi team,\n\nSaving a task fails with HTTP 502 Bad Gateway and error code E1042 since this morning. "
    "The console shows \"TypeError: cannot read properties of undefined\". It happens at "
    "https://app.tasklane.example/api/v2/tasks?token=s3cr3t from 10.20.30.40. App version 4.12.3 on Windows 11, "
    "Chrome 131. I already cleared the cache and restarted the browser. We also tried a private window. "
    "Should I reinstall the desktop app? The project has about 5,069 tasks and 12 members. "
    "It's for the 'Q1 launch' project.\n\nThanks"
)


def test_steps_tried_are_the_sentences_that_say_what_the_customer_did() -> None:
    assert steps_tried(BROKEN_SAVE) == ("I already cleared the cache and restarted the browser.",
                                        "We also tried a private window.")
    assert steps_tried("the app crashes on my samsung galaxy s23. i reinstalled it twice. this started today") == (
        "i reinstalled it twice.",)
    assert steps_tried("Export is cropped. Tried Edge and Firefox, same result.") == (
        "Tried Edge and Firefox, same result.",)


def test_questions_and_payments_are_not_steps() -> None:
    assert steps_tried("Should I clear the cache? If I switch to annual, do I lose what I already paid?") == ()


def test_diagnostics_of_a_bug_report() -> None:
    found = diagnostics(mask(BROKEN_SAVE))
    assert found.http_statuses == ("502",)
    assert found.error_codes == ("E1042",)
    assert found.error_messages == ("TypeError: cannot read properties of undefined",)  # not 'Q1 launch'
    assert found.versions == ("4.12.3",)
    assert found.environment == ("Windows 11", "Chrome 131", "private window", "desktop app")
    assert found.hosts == ("app.tasklane.example",)  # the host only: the query carries a token
    assert found.counts == ("about 5,069 tasks", "12 members")


def test_an_error_message_in_quotes_and_a_device() -> None:
    found = diagnostics("I keep getting 'session expired' right after signing in on my iPhone 15 with iOS 17.4.")
    assert found.error_messages == ("session expired",)
    assert found.environment == ("iPhone 15", "iOS 17.4")
    assert diagnostics("How do I add a dependency on the timeline?").empty


def test_counts_are_not_http_statuses() -> None:
    found = diagnostics("We hit the rate limit during our nightly import of 487 tasks.")
    assert found.http_statuses == ()
    assert found.counts == ("487 tasks",)


def test_ip_addresses_and_personal_data_are_masked() -> None:
    masked = mask("From 192.168.1.20 and 2001:db8::1, write to jane.doe@example.com or +1 415 555 0132.")
    assert "192.168" not in masked and "2001:db8" not in masked and "jane" not in masked and "555" not in masked
    assert masked.count("[IP]") == 2
    assert mask("It fails from 198.51.100.23. Also from 10.0.0.1:8080, and (172.16.0.9)") == (
        "It fails from [IP]. Also from [IP], and ([IP])")
    assert mask("Version 4.12.3 of 2026.11") == "Version 4.12.3 of 2026.11"  # versions are not addresses


def test_seats_and_opportunity_signals() -> None:
    text = "We want to upgrade to Business for SSO. We're on Pro with 45 seats and will add 20 more seats in May."
    assert seats(text) == 45
    assert opportunity_signals(text) == ("upgrade", "more seats", "enterprise feature")
    assert opportunity_signals("Do guests count as paid seats? We're comparing a couple of tools.") == (
        "plan question",)
    assert opportunity_signals("We will cancel and move back to Free unless this is fixed.") == ("churn risk",)
    assert seats("How do I export to PDF?") is None
    assert opportunity_signals("How do I export to PDF?") == ()
