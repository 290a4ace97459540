"""Speed of the regex-heavy gates on adversarial input: the escalation policy
(`assess_ticket`) and PII redaction (`redact`), which see every ticket before anything else.

The inputs are long near-misses a badly written pattern would backtrack on (the same ones
tests/agent/test_policy.py and tests/test_redact.py check for behaviour); the unit tests no
longer time them, this does. Each is timed `--runs` times and the median is reported next
to the bound the unit tests used to assert (3 s per ticket for the policy, 2 s for
redaction), with the demo tickets' median as the everyday baseline. Writes
benchmarks/results/policy_speed.md.

    python benchmarks/policy_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from kbops.agent.policy import assess_ticket
from kbops.config import PolicySettings
from kbops.redact import redact
from kbops.tickets.jsonl import read_jsonl

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "policy_speed.md"

POLICY_INPUTS = {
    "comment openers (`<!-- ` x 5,000)": "<!-- " * 5_000,
    "one-letter words (`a ` x 20,000)": "a " * 20_000,
    "repeated words (`ignore the the the ` x 3,000)": "ignore the the the " * 3_000,
    "punctuation (`!?` x 20,000)": "!?" * 20_000,
    "base64-like (`QUJD` x 5,000)": "QUJD" * 5_000,
}
POLICY_BOUND = 3.0
REDACT_INPUTS = {
    "digit runs (`1 ` x 20,000)": "1 " * 20_000,
    "one long word (`A` x 50,000)": "A" * 50_000,
    "street at the end (`Aa ` x 20,000 + `Street`)": "Aa " * 20_000 + "Street",
    "phone prefixes (`+1 ` x 20,000)": "+1 " * 20_000,
    "zeros (`0` x 50,000)": "0" * 50_000,
    "at signs (`a@` x 20,000)": "a@" * 20_000,
    "address prefixes (`12 rue de la ` x 5,000)": "12 rue de la " * 5_000,
    "obfuscated-email words (`a dot ` x 10,000)": "a dot " * 10_000,
    "at words (`jane at ` x 8,000)": "jane at " * 8_000,
    "IBAN prefixes (`DE89 ` x 10,000)": "DE89 " * 10_000,
    "phone cues (`phone ` x 8,000)": "phone " * 8_000,
    "no-break-spaced digits (`1\\u00a0` x 20,000)": "1\u00a0" * 20_000,
}
REDACT_BOUND = 2.0


def median_seconds(work: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def demo_median(work: Callable[[str], object], texts: list[str], runs: int) -> float:
    """Median over the demo tickets of each ticket's median time."""
    return statistics.median(median_seconds(lambda text=text: work(text), runs) for text in texts)


def table(title: str, rows: list[tuple[str, int, float]], bound: float, everyday: float, tickets: int) -> list[str]:
    lines = [f"## {title}", "", f"| input | characters | median seconds | share of the old {bound:g} s bound |",
             "|---|---:|---:|---:|"]
    lines.append(f"| a demo ticket (median of {tickets}) | typical | {everyday:.5f} | {everyday / bound:.2%} |")
    for name, size, seconds in rows:
        lines.append(f"| {name} | {size:,} | {seconds:.4f} | {seconds / bound:.1%} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timings per input; the median is reported")
    args = parser.parse_args()

    settings = PolicySettings()
    demo = [t.text for t in read_jsonl(REPO / "evals" / "tickets.jsonl", strict=True).tickets]

    def assess(text: str) -> object:
        return assess_ticket(text, "pro", settings)

    everyday_policy = demo_median(assess, demo, args.runs)  # first: it also warms up every pattern
    everyday_redact = demo_median(redact, demo, args.runs)
    policy = [(name, len(text), median_seconds(lambda text=text: assess(text), args.runs))
              for name, text in POLICY_INPUTS.items()]
    redaction = [(name, len(text), median_seconds(lambda text=text: redact(text), args.runs))
                 for name, text in REDACT_INPUTS.items()]
    lines = [
        "# Policy and redaction speed on adversarial input",
        "",
        f"Median of {args.runs} runs per input in one process; the demo tickets run first (and warm up every pattern).",
        "",
        *table("Escalation policy (`assess_ticket`)", policy, POLICY_BOUND, everyday_policy, len(demo)),
        *table("PII redaction (`redact`)", redaction, REDACT_BOUND, everyday_redact, len(demo)),
        "Reproduce: `python benchmarks/policy_speed.py`",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
