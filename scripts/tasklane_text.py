"""How a Tasklane customer writes: a topic (tasklane_topics) becomes a subject and a body.

The topic's own sentences carry the meaning; what varies around them is shared by every
topic (openers, sign-offs, plan and browser details, tone, chat-style lowercase, typos,
contractions), so embeddings group tickets by problem rather than by template. Tone is
part of the text and nothing else: the importer computes sentiment from it.
Used by scripts/seed_tasklane.py only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tasklane_topics import Topic

Pick = Callable[[random.Random, "Context"], str]


@dataclass(frozen=True)
class Context:
    """What the text may mention about the ticket's situation."""

    created_at: datetime
    tier: str
    channel: str
    tone: str = "neutral"  # polite | neutral | angry
    stage: int = 0  # follow-ups of one unresolved problem: 0 first contact .. 3 about to churn
    pinned: tuple[tuple[str, str], ...] = ()  # slot values fixed for the account (its country, seats, IdP...)
    ask: int = -1  # which of the topic's questions (a follow-up restates its problem); -1 = any


def _one_of(options: str) -> Pick:
    values = options.split("|")
    return lambda rng, ctx: rng.choice(values)


def _number(low: int, high: int, fmt: str = "{}") -> Pick:
    return lambda rng, ctx: fmt.format(rng.randint(low, high))


def _month(rng: random.Random, ctx: Context) -> str:
    month = ctx.created_at.month if rng.random() < 0.5 else (ctx.created_at.month - 2) % 12 + 1
    return ("January February March April May June July August September October November "
            "December").split()[month - 1]


def _amount(rng: random.Random, ctx: Context) -> str:
    return f"${rng.choice([10, 18, 36, 54, 90, 120, 144, 180, 270, 450, 864, 1296]) * rng.randint(1, 3)}"


def _big(rng: random.Random, ctx: Context) -> str:
    value = rng.choice([rng.randint(120, 900), rng.randint(1000, 20000)])
    return f"{value:,}" if rng.random() < 0.5 else str(value)


def _paid_plan(rng: random.Random, ctx: Context) -> str:
    return ctx.tier.title() if ctx.tier != "free" else "Pro"


SLOTS: dict[str, Pick] = {
    "n": _number(2, 40), "few": _number(2, 6), "months": _number(3, 12), "pct": _number(12, 97), "seats": _number(3, 240),
    "hundreds": _number(60, 480), "big": _big, "amount": _amount, "month": _month, "paidplan": _paid_plan,
    "plan": lambda rng, ctx: ctx.tier.title(),
    "date": _one_of("yesterday|on Monday|last week|on the 3rd|two days ago|this morning|on the 1st"),
    "since": _one_of("yesterday|Monday|last week|the 1st|the weekend|this morning|Tuesday"),
    "day": _one_of("Friday|Monday|the end of the week|next Tuesday|the 15th|end of month|Thursday"),
    "weekday": _one_of("Tuesday|yesterday|the update|Wednesday"),
    "time": _one_of("10am|2:30 pm|9:00|noon|4pm|11:15"),
    "when": _one_of("yesterday|this morning|a few days ago|after the weekend|last night|today"),
    "browser": _one_of("Chrome|Firefox|Safari|Edge|Chrome 131|Firefox 133|Safari 18|Brave"),
    "browser2": _one_of("Edge|Firefox|Safari|Chrome"),
    "os": _one_of("macOS|Windows 11|Windows 10|Ubuntu|a Chromebook|macOS Sonoma"),
    "phone": _one_of("iPhone|iPhone 15|Pixel 8|Samsung Galaxy S23|Android phone|iPad"),
    "card": _one_of("Visa|Mastercard|Amex card|company card|Visa debit card"),
    "country": _one_of("Germany|the Netherlands|France|Spain|Ireland|Poland|Italy|Sweden|Belgium|Austria"),
    "lang": _one_of("German|Spanish|French|Portuguese|Japanese|Dutch|Italian"),
    "project": _one_of("Website redesign|Q1 launch|Onboarding|Client portal|Sprint 42|Warehouse move|"
                       "Marketing calendar|Hiring plan|Office move|Mobile app v3"),
    "tool": _one_of("Trello|Asana|Jira"), "idp": _one_of("Okta|Azure AD|Entra ID"),
    "code": _one_of("401|403|401 Unauthorized|403 Forbidden"),
}
SLOT_ARTICLES = {"tool": {"Trello": "import-from-trello", "Asana": "import-from-asana", "Jira": "import-from-jira"},
                 "idp": {"Okta": "saml-sso-okta", "Azure AD": "saml-sso-azure-ad", "Entra ID": "saml-sso-azure-ad"}}

OPENERS = {
    "email": ["Hi,", "Hello,", "Hi there,", "Hi Tasklane team,", "Hello support,", "Good morning,",
              "Dear Tasklane support,", "Hey,", "Hi team,", "", ""],
    "chat": ["hi", "hey", "hello", "hi there", "", "", "quick question -", "hey, "],
    "web": ["", "", "Hello,", "Hi,", "Hi support,"],
    "phone": ["Call note: customer says", "Phone call -", "Caller reports:"],
}
CLOSERS = {
    "email": ["Thanks!", "Thanks in advance.", "Best regards", "Cheers", "Many thanks", "Kind regards",
              "Thank you!", "", "Thanks,", "Best"],
    "chat": ["thx", "thanks", "", "ty", "thanks!", ""],
    "web": ["Thanks", "", "Thank you."],
    "phone": ["", "Promised an email follow-up."],
}
CONTEXTS = ["We're on {plan} with {seats} seats.", "I'm the admin of our workspace.", "Using {browser} on {os}.",
            "This started {when}.", "We need this sorted before {day}.", "It's for the '{project}' project.",
            "Not sure if this is the right place to ask.", "Our team is about {seats} people."]
POLITE = ["Hope you're doing well.", "Love the product otherwise!", "Sorry if this was asked before.",
          "Thanks for the great tool.", "Appreciate any help.", "Really happy with Tasklane so far."]
ANGRY = ["This is really frustrating.", "Honestly, this is unacceptable.", "I've already wasted an hour on this.",
         "Not impressed.", "Please fix this, it's ridiculous.", "Why is this so hard?!",
         "We pay for this and it just doesn't work.", "Very disappointed so far.", "Seriously annoyed right now."]
STAGE_OPENERS = {
    1: ["Following up on my earlier ticket: this is still happening.", "Any update on this? We're still stuck.",
        "Writing again because the problem is back.", "Still waiting for a fix on this one.",
        "Second message about the same problem, nothing has improved."],
    2: ["This is the third time I'm contacting you about this and nothing has changed.",
        "We keep getting the same canned answers and the problem is still there.",
        "I'm escalating this: none of your previous replies fixed anything.",
        "Nothing you suggested has worked and my team is fed up."],
    3: ["We are now seriously evaluating other tools.", "If this isn't resolved this week we will not renew.",
        "Our leadership is asking why we pay for a tool that doesn't work, and I have no answer.",
        "We have started a trial of a competitor because of this.", "Our renewal is next month and right now we won't sign it."],
}
STAGE_CLOSERS = {
    1: ["It's slowing the whole team down.", "Please prioritise this."],
    2: ["Honestly, this is unacceptable for what we pay.", "I expect a call from someone senior today.",
        "Extremely frustrated."],
    3: ["This is the worst support experience we've had with any vendor.", "Very disappointed and angry.",
        "Consider this our formal complaint before cancelling."],
}
CONTRACTIONS = [("can't", ["cannot", "can't", "cant"]), ("doesn't", ["does not", "doesn't", "doesnt"]),
                ("I'm", ["I am", "I'm", "Im"]), ("We're", ["We are", "We're"]), ("don't", ["do not", "don't", "dont"]),
                ("How do I", ["How can I", "How do I", "Is there a way to"]), ("Please", ["Please", "Could you please", "Pls"])]
PII_LINES = ["You can reach me on +44 20 7946 0{n3}.", "Please also copy my colleague {first}.{last}@northwind.example.",
             "Call me back at +1 415 555 0{n3} if easier."]
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"\b[a-z]{6,}\b")


class Writer:
    """Fills a topic's sentences for one ticket; slot values are kept so the articles
    that answer it (`@tool`) and repeated slots agree with the text."""

    def __init__(self, rng: random.Random, ctx: Context) -> None:
        self.rng, self.ctx, self.values = rng, ctx, dict(ctx.pinned)
        self.used: set[str] = set()

    def fill(self, template: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            self.used.add(name)
            if name not in self.values:
                self.values[name] = SLOTS[name](self.rng, self.ctx)
            return self.values[name]
        return _SLOT.sub(value, template)

    def articles(self, topic: Topic) -> list[str]:
        found = []
        for article in topic.articles:
            if article.startswith("@"):
                slot = article[1:]
                self.fill("{" + slot + "}")
                article = SLOT_ARTICLES[slot][self.values[slot]]
            found.append(article)
        return found


def compose(topic: Topic, rng: random.Random, ctx: Context) -> tuple[str, str, Writer]:
    """(subject, body, writer) of one ticket about `topic`."""
    writer = Writer(rng, ctx)
    channel = ctx.channel
    parts: list[str] = []
    if ctx.stage:
        parts.append(rng.choice(STAGE_OPENERS[ctx.stage]))
    elif ctx.tone == "polite" and rng.random() < 0.6:
        parts.append(rng.choice(POLITE))
    ask = topic.asks[ctx.ask] if ctx.ask >= 0 else rng.choice(topic.asks)
    parts.append(writer.fill(ask))
    extra_details = rng.choice([0, 1, 1, 2]) if channel != "chat" else rng.choice([0, 0, 1])
    for detail in rng.sample(topic.details, min(extra_details, len(topic.details))):
        parts.append(writer.fill(detail))
    context = rng.choice(CONTEXTS)
    if rng.random() < 0.3 and not writer.used & set(_SLOT.findall(context)):  # not the seats twice
        parts.append(writer.fill(context))
    if ctx.stage:
        parts.append(rng.choice(STAGE_CLOSERS[ctx.stage]))
    elif ctx.tone == "angry":
        parts.insert(rng.randint(0, len(parts)), rng.choice(ANGRY))
    if rng.random() < 0.01:
        parts.append(rng.choice(PII_LINES).format(n3=rng.randint(100, 999), first=rng.choice(["anna", "li", "omar"]),
                                                   last=rng.choice(["kovacs", "meyer", "chen"])))
    body = _contractions(" ".join(parts), rng)
    if rng.random() < 0.12:
        body = _typo(body, rng)
    opener, closer = rng.choice(OPENERS[channel]), rng.choice(CLOSERS[channel])
    if ctx.stage >= 2 or (ctx.tone == "angry" and rng.random() < 0.7):
        closer = rng.choice(["", "Regards", "Waiting for your answer.", ""]) if channel != "phone" else closer
    if channel == "chat":
        body = " ".join(p for p in (opener, body, closer) if p)
        if rng.random() < 0.5:
            body = body.lower().rstrip(".")
    else:
        body = "\n\n".join(p for p in (opener, body, closer) if p)
    return _subject(topic, ask, writer, ctx), body, writer


def _subject(topic: Topic, ask: str, writer: Writer, ctx: Context) -> str:
    """Mostly a subject line about the same question as the body (most shared words)."""
    rng = writer.rng
    if ctx.channel == "chat" and rng.random() < 0.35:
        return ""
    asked = _content_words(ask)
    overlap = [len(asked & _content_words(s)) for s in topic.subjects]
    closest = [s for s, n in zip(topic.subjects, overlap, strict=True) if n == max(overlap)]
    subject = writer.fill(rng.choice(closest if max(overlap) and rng.random() < 0.8 else topic.subjects))
    if ctx.stage >= 2 or (ctx.tone == "angry" and rng.random() < 0.4):
        subject = rng.choice(["URGENT: ", "Still broken: ", "Re: ", "ESCALATION - "]) + subject
    elif ctx.stage == 1 or rng.random() < 0.04:
        subject = "Re: " + subject
    r = rng.random()
    return subject.lower() if r < 0.2 else subject[:1].upper() + subject[1:] if r < 0.6 else subject


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]{4,}", text.lower())} - {"what", "with", "does", "that", "this", "have", "from", "can't"}


def _contractions(text: str, rng: random.Random) -> str:
    for word, options in CONTRACTIONS:
        if word in text and rng.random() < 0.5:
            text = text.replace(word, rng.choice(options), 1)
    return text


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the fingers: two letters swapped inside a longer word."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word, at = match.group(), rng.randint(1, len(match.group()) - 3)
    return text[:match.start()] + word[:at] + word[at + 1] + word[at] + word[at + 2:] + text[match.end():]
