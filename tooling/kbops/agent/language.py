"""The ticket's language: detected offline, so the reply can say which language it is in.

The detector is py3langid (a naive Bayes model over byte n-grams that ships inside its
wheel: nothing is downloaded, ever), restricted to `agent.detect_languages` plus the KB's
language and the notice languages: fewer candidates make short tickets far more accurate
(benchmarks/language_detect.py). A ticket too short to tell, or one the detector is unsure
about, is taken to be in the KB's language: the detector must never turn a routine English
"login broken" into an escalation.

Language never weakens a gate: the risk gates read every language as they always did. It
only adds a notice line to the offline reply, tells Claude which language to answer in, and,
when the team says so (`agent.unsupported_language = "escalate"`), escalates a ticket in a
language nobody on the team answers (`language`).
"""

from __future__ import annotations

import copy
import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import ConfigError
from ..redact import PLACEHOLDER_RE
from .fit import LanguageGuess

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

SAMPLE_CHARS = 2000
"""The detector reads this much of a ticket: the language is clear long before, and a pasted log
must not cost time."""

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish", "fi": "Finnish", "cs": "Czech",
    "ro": "Romanian", "hu": "Hungarian", "el": "Greek", "ru": "Russian", "tr": "Turkish", "ja": "Japanese",
    "zh": "Chinese", "ko": "Korean", "ar": "Arabic", "no": "Norwegian", "uk": "Ukrainian", "sk": "Slovak",
}
"""English names for reasons and reports; other codes are shown as they are."""

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|`[^`]*`|\b\w*\d\w*\b")
"""Links, addresses, inline code and tokens with digits (ids, versions, error codes): the same in
every language, they only blur the guess."""
_DENSE_SCRIPTS = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF))
"""Kana, CJK ideographs and Hangul: one character carries about a word, so it counts as three letters."""
_LOCK = threading.Lock()


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def detect_language(text: str, settings: Settings) -> LanguageGuess:
    """The ticket's language (ISO 639-1) and how sure the detector is; code "" (the KB's
    language is assumed) when the text is too short or the detector unsure."""
    agent = settings.agent
    sample = _NOISE.sub(" ", PLACEHOLDER_RE.sub(" ", text[:SAMPLE_CHARS]))
    if letter_count(sample) < agent.language_min_letters:
        return LanguageGuess("", 0.0, supported=True)
    code, confidence = _identifier(candidate_languages(settings)).classify(sample)
    confidence = float(confidence)
    if confidence < agent.language_min_confidence:
        return LanguageGuess("", confidence, supported=True)
    return LanguageGuess(str(code), confidence, supported=is_supported(str(code), settings))


def is_supported(code: str, settings: Settings) -> bool:
    """The KB's language, a language the team wrote a notice for, or unknown (""): the KB's is assumed."""
    return not code or code == settings.agent.kb_language or code in settings.agent.language_notices


def notice_line(language: LanguageGuess | None, settings: Settings) -> str:
    """The team's one-line notice in the customer's language ("we answer in English ..."); ""
    when none is configured or the ticket is in the KB's language."""
    if language is None or not language.code or language.code == settings.agent.kb_language:
        return ""
    return settings.agent.language_notices.get(language.code, "").strip()


def unsupported_language(language: LanguageGuess | None, settings: Settings) -> str:
    """Why the ticket escalates with `language`, or "": only when the team escalates languages it
    does not support (`agent.unsupported_language = "escalate"`) and this is one."""
    if settings.agent.unsupported_language != "escalate" or language is None or language.supported:
        return ""
    return (f"the ticket is in {language_name(language.code)} ({language.code}, detector confidence "
            f"{language.confidence:.2f}), which the team does not answer (agent.unsupported_language = escalate)")


def candidate_languages(settings: Settings) -> tuple[str, ...]:
    """What the detector chooses among: the configured set, the KB's language and the notice languages."""
    agent = settings.agent
    return tuple(sorted({*agent.detect_languages, agent.kb_language, *agent.language_notices}))


def letter_count(text: str) -> int:
    """Letters in `text`, a CJK character or Hangul syllable counting as three (it says as much)."""
    return sum(3 if any(low <= ord(ch) <= high for low, high in _DENSE_SCRIPTS) else 1
               for ch in text if ch.isalpha())


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    """The detector restricted to `languages`, built once per set from the model loaded once."""
    model = _model()
    unknown = sorted(set(languages) - set(model.labels))
    if unknown:
        raise ConfigError(
            f"agent.detect_languages, agent.kb_language or agent.language_notices: the language detector does not "
            f"know {', '.join(unknown)}; use ISO 639-1 codes it knows (docs/language.md)"
        )
    restricted = copy.copy(model)  # set_languages replaces the copy's tables; the loaded model stays whole
    restricted.set_languages(list(languages))
    return restricted


def _model() -> LanguageIdentifier:
    with _LOCK:
        return _load_model()


@lru_cache(maxsize=1)
def _load_model() -> LanguageIdentifier:
    # lazy: numpy and a 4.6 MB model, loaded only when a ticket is read
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
