"""Mask personal data in ticket text before it reaches an LLM backend or any report.

Pure functions over strings: one precompiled regex per kind, applied in a fixed order
(emails, IBANs, cards, addresses, phones) so that a later kind never sees digits an
earlier kind already replaced. Placeholders are stable (`[EMAIL]`, `[IBAN]`, `[CARD]`,
`[ADDRESS]`, `[PHONE]`) so prompts, golden files and policy patterns can rely on them.

Choices made on purpose:
- Cards: a 13-19 digit run that passes the Luhn check is a card. A number written in a
  card's layout (4-4-4-4 or Amex 4-6-5 groups) is masked even when Luhn fails: that is a
  card with a typo, and the other 15 digits are still the customer's. A contiguous digit
  run that fails Luhn is left alone (order, tracking and invoice ids look like that).
- Phones: only shapes that are phones and nothing else (a `+` country code, US
  `(415) 555-0132` / `415-555-0132`, European trunk-0 numbers of 9-12 digits) or any
  7+ digit number right after a word like "phone", "tel" or "call back". Dates, times,
  years, prices, versions, ids such as T-1001 or INV-2026-0042 never have those shapes.
- Addresses: a house number next to a street-type word (English, French, Spanish,
  Italian, German, Dutch and Nordic forms) with a capitalised street name, plus an
  optional city/postcode tail. Prose like "3 projects on the board" has no street word.
  Over-masking a city name is accepted; under-masking a street is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
ADDRESS = "[ADDRESS]"
IBAN = "[IBAN]"


@dataclass(frozen=True)
class Redacted:
    """Masked text and how many values of each kind were masked (only kinds found)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


_EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

_IBAN_RE = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w-])")

_CARD_RE = re.compile(r"(?<![\w.,/+-])\d(?:[ -]?\d){12,18}(?![\w/-]|[.,]\d)")
_CARD_LAYOUT_RE = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{6}\2\d{5}")

_NAME = r"[A-ZÀ-ÖØ-Þ][^\W\d_]*+(?:['’.-][^\W\d_]*+)*+(?!\d)"
"""A capitalised street or city word ("Baker", "O'Connell", "St.")."""

_EN_STREET = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|parkway|pkwy|"
    r"place|pl|square|sq|court|ct|terrace|crescent|close|highway|hwy|circle|cir|alley|row|"
    r"mews|gardens|grove|hill"
)
_FR_ES_IT_STREET = (
    r"rue|avenue|av|boulevard|bd|place|chemin|allée|allee|impasse|quai|cours|route|"
    r"calle|avenida|avda|plaza|paseo|carrer|rua|via|viale|corso|piazza"
)
_SUFFIX_STREET = (
    r"gatan|vägen|vagen|gränd|torget|stigen|gata|gaten|veien|vej|gade|straße|strasse|str\.|"
    r"weg|allee|platz|gasse|laan|straat|gracht|plein|kade"
)
"""Compound street names: Sveavägen, Kungsgatan, Hauptstraße, Hauptstr., Keizersgracht."""
_SEPARATE_STREET = (
    r"Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Gata|Vej|Gade|Laan|Straat|Gracht|Plein|Kade"
)
"""Street words written apart after a name: Berliner Straße, Am Weg."""
_POSTCODE_TAIL = (
    r"(?:,?\s+(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"  # UK: NW1 6XE
    r"|\d{4,5}(?:-\d{4})?(?:\s+" + _NAME + r")?"  # US, DE, FR, ES: 94043, 75002 Paris
    r"|\d{3}\s\d{2}(?:\s+" + _NAME + r")?))?"  # SE: 111 34 Stockholm
)
_CITY_TAIL = (
    r"(?:,\s*"
    + _NAME
    + r"(?:\s+"
    + _NAME
    + r"){0,2}(?:,\s*[A-Z]{2}(?=[\s,.]|$))?)?"  # , Mountain View, CA
    + _POSTCODE_TAIL
)
_NOT_A_STREET = r"(?!(?:Google|Shared|Team|Network|Hard|External|USB|Swim)\s+(?i:drive|dr|lane|ln)\b)"
"""Product words that look like a street after a count: "2 Google Drive folders"."""
_HOUSE = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?"

_ADDRESS_RES = (
    # 221B Baker Street; 1600 Amphitheatre Parkway, Mountain View, CA 94043
    re.compile(
        r"(?<![\w.,-])" + _HOUSE + r",?\s+" + _NOT_A_STREET + r"(?:" + _NAME + r"\s+){1,4}"
        r"(?i:" + _EN_STREET + r")\b\.?" + _CITY_TAIL
    ),
    # 12 rue de la Paix, 75002 Paris; 5 Calle Mayor; 10 Via Roma
    re.compile(
        r"(?<![\w.,-])" + _HOUSE + r"(?:\s?(?:bis|ter))?,?\s+(?i:" + _FR_ES_IT_STREET + r")\.?\s+"
        r"(?:(?i:de|del|de la|des|du|la|le|les|l'|d'|di|della|dos|das)\s*)*"
        r"(?:" + _NAME + r"\s?){1,4}" + _CITY_TAIL
    ),
    # Sveavägen 44, 111 34 Stockholm; Berliner Straße 12; Hauptstr. 5
    re.compile(
        r"(?<![\w-])(?:[A-ZÀ-ÖØ-Þ][\w]*(?i:" + _SUFFIX_STREET + r")"
        r"|" + _NAME + r"\s+(?:" + _SEPARATE_STREET + r"))"
        r"\s*\d{1,4}[A-Za-z]?(?![\w-])" + _CITY_TAIL
    ),
    # Calle Mayor 5; Via Roma 12; Rua Augusta 100
    re.compile(
        r"(?<![\w-])(?:Calle|Avenida|Plaza|Paseo|Carrer|Rua|Via|Viale|Corso|Piazza)\s+"
        r"(?:(?i:de|del|de la|della|di|dos|das)\s+)?(?:"
        + _NAME
        + r"\s+){1,3}\d{1,4}(?![\w-])"
        + _CITY_TAIL
    ),
)

_SEP = r"(?:[ \t-]|\.(?=\d))"
_PHONE_RES = (
    # +1 415-555-0132, +44 20 7946 0958, +46 70 123 45 67, +49 (0)170 1234567
    re.compile(r"(?<![\w+])\+\d{1,3}(?:" + _SEP + r"{0,2}(?:\(\d{1,4}\)|\d)){6,15}(?![\d])"),
    # (415) 555-0132, 415-555-0132, 415.555.0132 (NANP: area and exchange start 2-9)
    re.compile(
        r"(?<![\w(./-])(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w/-]|[.,]\d)"
    ),
    # 0170 1234567, 030 12345678, 020 7946 0958, 06 12 34 56 78
    re.compile(r"(?<![\w+./:-])0\d{1,4}(?:[ /.-]?\d{2,8}){1,4}(?![\w/:-]|[.,]\d)"),
)
_PHONE_CONTEXT_RE = re.compile(
    r"(?i:\b(?:phone|tel|telephone|mobile|cell|call\s?back|call me(?: on| at)?|whatsapp|sms|fax)\b)"
    r"\.?(?:\s*(?i:number|no\.?|nr\.?|#))?\s*[:=-]?\s*(\+?\d[\d \t().-]{5,18}\d)"
)
_DATE_START_RE = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2}"
)


def redact(text: str) -> Redacted:
    """Mask emails, IBANs, cards, street addresses and phone numbers in `text`."""
    counts: dict[str, int] = {}
    text = _sub(_EMAIL_RE, text, EMAIL, "email", counts)
    text = _sub(_IBAN_RE, text, IBAN, "iban", counts, keep=_is_iban)
    text = _sub(_CARD_RE, text, CARD, "card", counts, keep=_is_card)
    for pattern in _ADDRESS_RES:
        text = _sub(pattern, text, ADDRESS, "address", counts)
    for pattern in _PHONE_RES:
        text = _sub(pattern, text, PHONE, "phone", counts, keep=_is_phone)
    text = _sub_group(_PHONE_CONTEXT_RE, text, PHONE, "phone", counts)
    return Redacted(text, counts)


def _sub(
    pattern: re.Pattern[str],
    text: str,
    placeholder: str,
    kind: str,
    counts: dict[str, int],
    keep: Callable[[str], bool] | None = None,
) -> str:
    def replace(match: re.Match[str]) -> str:
        if keep is not None and not keep(match.group(0)):
            return match.group(0)
        counts[kind] = counts.get(kind, 0) + 1
        return placeholder

    return pattern.sub(replace, text)


def _sub_group(
    pattern: re.Pattern[str], text: str, placeholder: str, kind: str, counts: dict[str, int]
) -> str:
    """Replace only group 1 (the number after a "phone:"-like cue), keeping the cue."""

    def replace(match: re.Match[str]) -> str:
        number = match.group(1)
        if sum(ch.isdigit() for ch in number) < 7 or _DATE_START_RE.match(number):
            return match.group(0)
        counts[kind] = counts.get(kind, 0) + 1
        start = match.start(1) - match.start(0)
        return match.group(0)[:start] + placeholder + match.group(0)[start + len(number) :]

    return pattern.sub(replace, text)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def luhn_valid(number: str) -> bool:
    """The card checksum: doubling every second digit from the right sums to 0 mod 10."""
    digits = [int(ch) for ch in reversed(_digits(number))]
    if not digits:
        return False
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _is_card(value: str) -> bool:
    digits = _digits(value)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    return luhn_valid(digits) or bool(_CARD_LAYOUT_RE.fullmatch(value))


def _is_iban(value: str) -> bool:
    """ISO 13616 mod-97 check, so a random "AB12 ..." token is not masked."""
    compact = value.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _is_phone(value: str) -> bool:
    digits = _digits(value)
    if _DATE_START_RE.match(value):
        return False
    if value.startswith("+"):
        return 8 <= len(digits) <= 15
    if value.startswith("0"):
        return 9 <= len(digits) <= 12
    return len(digits) == 10
