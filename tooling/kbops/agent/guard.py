"""The output guard: every reply, from any backend, is checked in code before it may go out.

The policy judges the ticket; this judges the reply. A model can be talked into quoting
an internal article, linking a page customers cannot see, naming the specialist who owns
an article, pasting HTML, or sending the customer somewhere else. Each check is plain
code over the reply and the KB as loaded for this command, so the same reply always gets
the same verdict:

| problem | fires when the reply |
|---|---|
| `promise:<kind>` | says a refund, credit, deletion, account or security change was or will be made (`policy/promises.py`) |
| `internal-text` | repeats 8 consecutive words of an internal, draft or archived article that no public article also says |
| `internal-link` | links or names the path of an article that is not public and published |
| `owner-name` | names an article owner (`owner:` of any article, as `maria.lopez` or `Maria Lopez`) or the git author of a KB section (`kb/provenance.py`) |
| `html` | carries HTML outside code (tags, event handlers, `javascript:` URLs) |
| `obfuscated` | spells a word out letter by letter (`r e f u n d`, `R.E.F.U.N.D.`): no reply needs that |
| `outside-link` | links a host that is neither the help site (`agent.article_url`), a host the public articles link to, nor one in `agent.allowed_link_hosts` |

Any problem escalates the ticket with reason `unsafe_reply`; the problems are its details.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from ..kb.markdown import CODE_SPAN, blocks, parse_links
from ..kb.model import Article
from .policy.promises import unsafe_promises

SHINGLE_WORDS = 8
"""Consecutive words a reply must share with a non-public article to count as quoting it."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]\"'`]+")
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][\s.·*_-]+){5,}[^\W\d_](?![^\W\d_])")
_HTML_ELEMENTS = (
    "a abbr address applet area article aside audio b base basefont bdi bdo blink blockquote body br button canvas "
    "caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed fieldset "
    "figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image "
    "img input ins isindex kbd keygen label legend li link listing main map mark marquee math menu meta meter nav "
    "noembed noframes noscript object ol optgroup option output p param picture plaintext pre progress q rp rt "
    "ruby s samp script search section select slot small source span strike strong style sub summary sup svg "
    "table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xmp"
).split()
_HARMLESS_TAGS = frozenset("br kbd sup sub em strong b i code mark s u small abbr".split())
"""Formatting without attributes: no script, no link, nothing hidden. KBs use `<kbd>`."""
_TAG = re.compile(rf"(?i)<\s*(/?)\s*({'|'.join(_HTML_ELEMENTS)})\b([^<>]*)>")
_ACTIVE = re.compile(r"(?i)<!--|\bon[a-z]+\s*=|(?:java|vb)script\s*:|data\s*:\s*text/html|<\s*[a-z][\w:-]*\s[^<>]*=")
"""Live markup whatever the element: comments, event handlers, script URLs, attributes.
A placeholder such as `<domain>` or `<install_dir>` in a technical article is none of these."""


@dataclass(frozen=True)
class ReplyGuard:
    """The reply checks for one KB (built once per agent)."""

    articles: Mapping[str, Article]
    site_hosts: frozenset[str] = frozenset()
    """Hosts of the help site (from `agent.article_url`) and `agent.allowed_link_hosts`."""
    authors: frozenset[str] = frozenset()
    """Names of the people who wrote the KB's sections (git authors): as private as owners."""

    def check(self, reply: str) -> dict[str, str]:
        """Problem -> what in the reply shows it; empty when the reply may be sent."""
        found = {f"promise:{kind}": repr(phrase) for kind, phrase in unsafe_promises(reply).items()}
        prose = _without_code(reply)
        if leaked := self._internal_text(reply):
            found["internal-text"] = f"repeats {leaked!r}"
        if links := self._internal_links(reply):
            found["internal-link"] = ", ".join(links)
        if names := self._owner_names(reply):
            found["owner-name"] = ", ".join(names)
        if markup := _markup(prose):
            found["html"] = repr(markup[:60])
        if spelled := _SPACED_LETTERS.search(prose):
            found["obfuscated"] = repr(spelled.group(0)[:60])
        if hosts := self._outside_hosts(reply):
            found["outside-link"] = ", ".join(hosts)
        return found

    # ---------------------------------------------------------------- what the KB says

    @cached_property
    def _hidden(self) -> list[Article]:
        return [a for a in self.articles.values() if not a.is_public]

    @cached_property
    def _hidden_shingles(self) -> dict[tuple[str, ...], str]:
        """8-word runs of non-public articles (-> article id) that no public article has."""
        public: set[tuple[str, ...]] = set()
        for article in self.articles.values():
            if article.is_public:
                public |= set(_shingles(_text_of(article)))
        hidden: dict[tuple[str, ...], str] = {}
        for article in self._hidden:
            for shingle in _shingles(_text_of(article)):
                if shingle not in public:
                    hidden.setdefault(shingle, article.id)
        return hidden

    @cached_property
    def _hidden_names(self) -> list[str]:
        """Ids and file names of non-public articles (that no public article also has)."""
        names = {a.id for a in self._hidden} | {a.path.rsplit("/", 1)[-1].removesuffix(".md") for a in self._hidden}
        return sorted(names - {a.id for a in self.articles.values() if a.is_public}, key=len, reverse=True)

    @cached_property
    def _hidden_paths(self) -> re.Pattern[str] | None:
        """A non-public article's id or file name as a path segment of a link target."""
        if not self._hidden_names:
            return None
        either = "|".join(re.escape(name) for name in self._hidden_names)
        return re.compile(rf"(?i)(?:^|[/=#\s(\[])(?:{either})(?:\.md)?(?=$|[/#?).,\s\]])")

    @cached_property
    def _hidden_mentions(self) -> re.Pattern[str] | None:
        """The same in running text, for names a sentence would not use by chance: hyphenated
        ids (`enterprise-escalation-matrix`) and file names ending in `.md`."""
        if not self._hidden_names:
            return None
        either = "|".join(re.escape(name) for name in self._hidden_names)
        hyphenated = "|".join(re.escape(name) for name in self._hidden_names if "-" in name) or "(?!)"
        return re.compile(rf"(?i)(?<![\w-])(?:(?:{either})\.md|(?:{hyphenated}))(?![\w-])")

    @cached_property
    def _owners(self) -> re.Pattern[str] | None:
        """Owner handles and author names with at least two parts (`maria.lopez`, `Maria
        Lopez`), written any common way. A one-word name is too often a plain word to block."""
        names = set()
        for person in [*(article.meta.owner or "" for article in self.articles.values()), *self.authors]:
            parts = [p for p in re.split(r"[._\-\s]+", person.strip()) if p]
            if len(parts) >= 2:
                names.add(r"[\s._-]?".join(re.escape(p) for p in parts))
        if not names:
            return None
        return re.compile(rf"(?i)(?<![\w.]){'|'.join(sorted(names))}(?![\w])")

    @cached_property
    def _allowed_hosts(self) -> frozenset[str]:
        """The help site's hosts, the configured ones, and every host public articles link."""
        hosts = set(self.site_hosts)
        for article in self.articles.values():
            if article.is_public:
                hosts |= {h for link in article.links if (h := _host(link.target))}
                hosts |= {h for url in _URL.findall(article.body) if (h := _host(url))}
        return frozenset(hosts)

    # ---------------------------------------------------------------- checks

    def _internal_text(self, reply: str) -> str:
        hidden = self._hidden_shingles
        for shingle in _shingles(reply):
            if shingle in hidden:
                return " ".join(shingle)
        return ""

    def _internal_links(self, reply: str) -> list[str]:
        pattern, mentions = self._hidden_paths, self._hidden_mentions
        if pattern is None or mentions is None:
            return []
        targets = [link.target for link in parse_links(reply)] + _URL.findall(reply)
        found = [t for t in targets if pattern.search(t)] + [m.group(0) for m in mentions.finditer(reply)]
        return list(dict.fromkeys(found))

    def _owner_names(self, reply: str) -> list[str]:
        pattern = self._owners
        return list(dict.fromkeys(m.group(0) for m in pattern.finditer(reply))) if pattern else []

    def _outside_hosts(self, reply: str) -> list[str]:
        targets = [link.target for link in parse_links(reply)] + _URL.findall(reply)
        allowed = self._allowed_hosts
        return list(dict.fromkeys(h for t in targets if (h := _host(t)) and not _allowed(h, allowed)))


def site_hosts(article_url: str, allowed: Iterable[str] = ()) -> frozenset[str]:
    """The help site's host (from the `agent.article_url` template) and configured hosts."""
    hosts = {h.lower().strip() for h in allowed if h.strip()}
    if host := _host(article_url.replace("{id}", "x")):
        hosts.add(host)
    return frozenset(hosts)


def _host(target: str) -> str:
    """The host of an absolute URL (`www.` links count), lowercase; "" for anything else."""
    target = target.strip()
    if target.lower().startswith("www."):
        target = "https://" + target
    try:
        parts = urlsplit(target)
    except ValueError:
        return "invalid-url"
    if parts.scheme.lower() in ("mailto", "tel"):
        return ""
    return (parts.hostname or "").lower() if parts.scheme or target.startswith("//") else ""


def _allowed(host: str, allowed: frozenset[str]) -> bool:
    return host in allowed or any(host.endswith("." + a) for a in allowed)


def _text_of(article: Article) -> str:
    return f"{article.title}\n{article.meta.summary}\n{article.body}"


def _shingles(text: str) -> Iterable[tuple[str, ...]]:
    words = [w.casefold().replace("’", "'") for w in _WORD.findall(text)]
    return (tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def _markup(prose: str) -> str:
    """The first piece of HTML a customer's client could render or run, or ""."""
    if active := _ACTIVE.search(prose):
        return active.group(0)
    for tag in _TAG.finditer(prose):
        if tag.group(2).lower() not in _HARMLESS_TAGS or tag.group(3).strip():
            return tag.group(0)
    return ""


def _without_code(text: str) -> str:
    """The reply without fenced code and code spans (a quoted `<token>` is not HTML)."""
    return "\n".join(CODE_SPAN.sub(" ", part) for code, _, part in blocks(text) if not code)
