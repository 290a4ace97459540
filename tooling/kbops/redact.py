"""Mask personal data in ticket text before it reaches an LLM backend or any report.

Pure functions over strings: one precompiled regex per shape, applied in a fixed order
(emails, IBANs, cards, SSNs, addresses, phones) so a later kind never sees digits an earlier
kind replaced. Placeholders are stable (`[EMAIL]`, `[IBAN]`, `[CARD]`, `[SSN]`, `[ADDRESS]`,
`[PHONE]`) so prompts, golden files and policy patterns can rely on them.

Choices made on purpose:
- Patterns run on a *view* of the text where Unicode spaces (no-break, narrow, thin...) are
  spaces, Unicode dashes `-`, fullwidth forms ASCII and invisible characters (zero-width
  space/joiner, soft hyphen, BOM) gone, so none of them can hide a value. Only masked values
  change: the rest comes back as written, invisible characters included (policy reads them).
- Emails: `a@b.example`, and obfuscated `a(at)b.example`, `a [at] b [dot] example`,
  `jane dot doe at example dot com`. A bare "at" needs a sign it is an address (a `dot` word,
  or `.`/`_`/`+`/digits in the local part) and no common word next to it ("work at acme.com").
- Cards: a 13-19 digit run (spaces, dashes or dots between) that passes Luhn, or that is
  written in a card's layout (4-4-4-4, Amex 4-6-5: a typo still leaks 15 digits). A bare run
  failing Luhn stays (order, tracking and invoice ids look like that).
- IBANs: any case, spaces or dashes anywhere, any grouping; masked only when the country's
  length (ISO 13616 registry) and the mod-97 checksum hold, so ids are not over-masked.
- SSNs: `123-45-6789` (or spaces/dots) in the ranges the SSA issues (not area 000, 666 or
  900-999, group 00, serial 0000); a bare 9-digit run only after "SSN"/"social security".
- Phones: shapes that are phones and nothing else (a `+` or `00` country code, US
  `(415) 555-0132` / `1-415-555-0132`, European trunk-0 numbers of 9-12 digits) or 7-15
  digits right after "phone", "call me at", "Handy", "portable"... Dates, times, prices,
  versions and ids such as T-1001 or INV-2026-0042 never have those shapes.
- Addresses: a house number next to a street-type word (English, French, Spanish, Italian,
  German, Dutch, Nordic) with a capitalised street name and an optional city/postcode tail.
  Over-masking a city name is accepted; under-masking a street is not.
Every repetition is bounded, so a 50k-character near-miss costs milliseconds
(benchmarks/policy_speed.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
ADDRESS = "[ADDRESS]"
IBAN = "[IBAN]"
SSN = "[SSN]"
PLACEHOLDERS = (EMAIL, PHONE, CARD, ADDRESS, IBAN, SSN)
PLACEHOLDER_RE = re.compile(r"\[(?:EMAIL|PHONE|CARD|ADDRESS|IBAN|SSN)\]")
"""What redaction leaves in place of personal data (labels and key phrases skip it)."""


@dataclass(frozen=True)
class Redacted:
    """Masked text and how many values of each kind were masked (only kinds found)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# ---------------------------------------------------------------- the view patterns run on

_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0"
_VIEW_TABLE: dict[int, str | None] = {
    **{ord(ch): " " for ch in "\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"},
    **{ord(ch): "\n" for ch in "\x85\u2028\u2029"},
    **{ord(ch): "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"},
    **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},  # fullwidth ASCII: ＠ ． ４
    ord("\ufe6b"): "@", ord("\ufe52"): ".", ord("\ufe59"): "(", ord("\ufe5a"): ")",
    **dict.fromkeys(map(ord, _INVISIBLE)),
}


class _Masking:
    """The view of a text being masked, and where each view character came from, so the
    unmasked parts can be returned as they were written."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.view = source.translate(_VIEW_TABLE)
        self.origin: list[int] = list(range(len(source)))
        """Index in `source` of each view character; -1 inside a placeholder."""
        if len(self.view) != len(source):  # invisible characters were dropped
            self.origin = [index for index, ch in enumerate(source) if ord(ch) not in _VIEW_TABLE
                           or _VIEW_TABLE[ord(ch)] is not None]
        self.counts: dict[str, int] = {}

    def mask(self, pattern: re.Pattern[str], placeholder: str, kind: str,
             length: Callable[[re.Match[str]], int | None] | None = None, group: int = 0) -> None:
        """Replace each match (or its `group`) by `placeholder`. `length` decides per match:
        None leaves it (the search resumes one character later), a number masks that many
        characters from the start of the match."""
        pieces: list[str] = []
        origin: list[int] = []
        text, last, position = self.view, 0, 0
        while (match := pattern.search(text, position)) is not None:
            start, end = match.span(group)
            size = length(match) if length is not None else end - start
            if size is None:
                position = match.start() + 1
                continue
            pieces += [text[last:start], placeholder]
            origin += [*self.origin[last:start], *[-1] * len(placeholder)]
            self.counts[kind] = self.counts.get(kind, 0) + 1
            last = position = start + size
        if not pieces:
            return
        pieces.append(text[last:])
        origin.extend(self.origin[last:])
        self.view, self.origin = "".join(pieces), origin

    def result(self) -> str:
        """The masked text: placeholders, and the source's own characters everywhere else."""
        if not self.counts:
            return self.source
        out: list[str] = []
        for masked, run in groupby(range(len(self.view)), key=lambda index: self.origin[index] < 0):
            indices = list(run)
            if masked:
                out.append(self.view[indices[0] : indices[-1] + 1])
                continue
            start, end = self.origin[indices[0]], self.origin[indices[-1]] + 1
            while start and self.source[start - 1] in _INVISIBLE:  # kept next to a value, not part of it
                start -= 1
            while end < len(self.source) and self.source[end] in _INVISIBLE:
                end += 1
            out.append(self.source[start:end])
        return "".join(out)


def _accept(keep: Callable[[str], bool], group: int = 0) -> Callable[[re.Match[str]], int | None]:
    """A `length` rule from a yes/no check on the matched value."""
    return lambda m: len(m.group(group)) if keep(m.group(group)) else None


# ---------------------------------------------------------------- emails

_EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_AT = r"(?P<at>\s{0,2}[(\[{<]\s{0,2}(?i:at)\s{0,2}[)\]}>]\s{0,2}|\s{1,3}(?i:at)\s{1,3}|\s{1,3}@\s{1,3})"
_DOT = r"(?:\s{0,2}[(\[{<]\s{0,2}(?i:dot)\s{0,2}[)\]}>]\s{0,2}|\s{1,3}(?i:dot)\s{1,3}|\.)"
_OBFUSCATED_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])(?P<local>[\w%+-]{1,64}(?:" + _DOT + r"[\w%+-]{1,64}){0,6})" + _AT
    + r"(?P<domain>[\w-]{1,63}(?:" + _DOT + r"[\w-]{1,63}){0,4})" + _DOT + r"[A-Za-z]{2,24}(?![\w-])"
)
"""`jane.doe(at)example.com`, `jane [at] example [dot] com`, `jane dot doe at example dot com`."""
_COMMON_WORDS = frozenset(
    "a an the this that these those it its me my mine you your us our we they them their he him his she her all any some "
    "no one home work school least most first last once night noon time times which what who where when here there look "
    "looking looked arrive arrived stay stayed be is are was were am been meet available online office desk lunch dinner "
    "now then only even still".split())


def _email_length(match: re.Match[str]) -> int | None:
    at = match.group("at").strip().lower()
    if at == "@" or at[0] in "([{<":
        return len(match.group(0))
    local, domain = match.group("local"), match.group("domain")
    if {re.split(r"\W", local)[0].lower(), re.split(r"\W", local)[-1].lower(), re.split(r"\W", domain)[0].lower()} & _COMMON_WORDS:
        return None  # "work at acme.com", "look at the dot com bubble"
    worded = re.search(r"(?i)\bdot\b|[(\[{<]", match.group(0)) is not None
    return len(match.group(0)) if worded or re.search(r"[._+\d]", local) else None


# ---------------------------------------------------------------- IBANs, cards, SSNs

_IBAN_LENGTHS = {item[:2]: int(item[3:]) for item in (
    "AD:24 AE:23 AL:28 AT:20 AZ:28 BA:20 BE:16 BG:22 BH:22 BI:27 BR:29 BY:28 CH:21 CR:22 CY:28 CZ:24 DE:22 DJ:27 "
    "DK:18 DO:28 EE:20 EG:29 ES:24 FI:18 FO:18 FR:27 GB:22 GE:22 GI:23 GL:18 GR:27 GT:28 HR:21 HU:28 IE:22 IL:23 "
    "IQ:23 IS:26 IT:27 JO:30 KW:30 KZ:20 LB:28 LC:32 LI:21 LT:20 LU:20 LV:21 LY:25 MC:27 MD:24 ME:22 MK:19 MN:20 "
    "MR:27 MT:31 MU:30 NI:28 NL:18 NO:15 OM:23 PK:24 PL:28 PS:29 PT:25 QA:29 RO:24 RS:22 RU:33 SA:24 SC:31 SD:18 "
    "SE:24 SI:19 SK:24 SM:27 SO:23 ST:25 SV:28 TL:23 TN:24 TR:26 UA:29 VA:22 VG:24 XK:20"
).split()}
"""ISO 13616 registry: the length of each country's IBAN."""
_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][ -]?[A-Za-z][ -]?\d[ -]?\d(?:[ -]?[A-Za-z0-9]){10,32}")
_SEPARATORS = " -."


def _iban_length(match: re.Match[str]) -> int | None:
    """The longest prefix of the candidate that ends between tokens, has the country's length
    and passes the checksum."""
    value, after = match.group(0), match.string[match.end() : match.end() + 1]
    country = "".join(ch for ch in value[:3] if ch.isalpha())
    expected = _IBAN_LENGTHS.get(country.upper())
    if expected is None and not country.isupper():
        return None
    ends, count = [], 0
    for index, ch in enumerate(value):
        count += ch.isalnum()
        following = value[index + 1] if index + 1 < len(value) else after
        if ch.isalnum() and not following.isalnum() and count in ((expected,) if expected else range(15, 35)):
            ends.append(index + 1)
    return next((end for end in reversed(ends) if _is_iban(value[:end])), None)


def _is_iban(value: str) -> bool:
    """Country length from the registry and the mod-97 checksum (a country missing from the
    table needs upper case as written and the checksum)."""
    compact = "".join(ch for ch in value if ch not in _SEPARATORS)
    expected = _IBAN_LENGTHS.get(compact[:2].upper())
    if expected is None and (not compact[:2].isupper() or not 15 <= len(compact) <= 34):
        return False
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:].upper() + compact[:4].upper()
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


_CARD_RE = re.compile(r"(?<![\w.,/+-])\d(?:[ .-]?\d){12,18}(?![\w/-]|[.,]\d)")
_CARD_LAYOUT_RE = re.compile(r"\d{4}([ .-])\d{4}\1\d{4}\1\d{4}|\d{4}([ .-])\d{6}\2\d{5}")


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


_SSN_RE = re.compile(r"(?<![\w./:-])\d{3}([ .-])\d{2}\1\d{4}(?![\w/-]|[.,]\d)")
_SSN_CONTEXT_RE = re.compile(
    r"(?i:\b(?:ssn|ss#|social\s+security(?:\s+(?:number|no\.?|#))?|sozialversicherungsnummer)\b)"
    r"(?:\s{0,3}(?i:is|was|number|no\.?|#|:|=|-)){0,3}\s{0,3}(\d{3}[ .-]?\d{2}[ .-]?\d{4})(?![\w/-]|[.,]\d)"
)


def _is_ssn(value: str) -> bool:
    """Shaped like an SSN and in the ranges the SSA issues."""
    digits = _digits(value)
    if len(digits) != 9:
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return 0 < area < 900 and area != 666 and group != 0 and serial != 0


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdecimal())


# ---------------------------------------------------------------- street addresses

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

# ---------------------------------------------------------------- phone numbers

_SEP = r"(?:[ \t-]|\.(?=\d))"
_PHONE_RES = (
    # +1 415-555-0132, +44 20 7946 0958, +46 70 123 45 67, +49 (0)170 1234567
    re.compile(r"(?<![\w+])\+\d{1,3}(?:" + _SEP + r"{0,2}(?:\(\d{1,4}\)|\d)){6,15}(?!\d)"),
    # 0044 20 7946 0958, 0049 (0)170 1234567: the international prefix written out
    re.compile(r"(?<![\w+./:-])00[1-9]\d{0,2}(?:" + _SEP + r"{0,2}(?:\(\d{1,4}\)|\d)){6,15}(?!\d)"),
    # (415) 555-0132, 415-555-0132, 415.555.0132, 1-415-555-0132 (NANP: area and exchange 2-9)
    re.compile(
        r"(?<![\w./-])(?:1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?[2-9]\d{2}[ .-]?|[2-9]\d{2}[ .-][2-9]\d{2}[ .-])\d{4}"
        r"(?![\w/-]|[.,]\d)"
    ),
    # 0170 1234567, 030 12345678, 020 7946 0958, 06 12 34 56 78
    re.compile(r"(?<![\w+./:-])0\d{1,4}(?:[ /.-]?\d{2,8}){1,4}(?![\w/-]|[.,:]\d)"),
)
_PHONE_CUE = (
    r"phone|tel|telephone|mobile|cell|cellphone|landline|fax|whatsapp|signal|sms|text\s+me|"
    r"call\s?back|call\s+me|call\s+us|reach\s+me|ring\s+me|contact\s+me|my\s+number|"
    r"telefon|telefonnummer|handy|handynummer|rufnummer|mobil|t[ée]l[ée]phone|portable|"
    r"t[ée]l[ée]fono|m[óo]vil|celular|cellulare|numero\s+di\s+telefono"
)
_PHONE_CONTEXT_RE = re.compile(
    r"(?i:\b(?:" + _PHONE_CUE + r")\b)\.?"
    r"(?:\s{0,3}(?i:number|no\.?|nr\.?|#|is|at|on|me|us|ist|est|es|è|au|am|unter|:|=|-)){0,4}"
    r"\s{0,3}(\+?\(?\d[\d \t().-]{5,20}\d)"
)
_DATE_START_RE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2}")


def _is_phone(value: str) -> bool:
    digits = _digits(value)
    if _DATE_START_RE.match(value):
        return False
    if value.startswith("+"):
        return 8 <= len(digits) <= 15
    if value.startswith("00"):
        return 10 <= len(digits) <= 17
    if value.startswith("0"):
        return 9 <= len(digits) <= 12
    if value.startswith("1"):
        return len(digits) == 11
    return len(digits) == 10


def _is_cued_number(value: str) -> bool:
    """A number after a phone word: 7-15 digits and not a date."""
    return 7 <= len(_digits(value)) <= 15 and not _DATE_START_RE.match(value)


# ---------------------------------------------------------------- the pipeline


def redact(text: str) -> Redacted:
    """Mask emails, IBANs, cards, SSNs, street addresses and phone numbers in `text`."""
    masking = _Masking(text)
    masking.mask(_EMAIL_RE, EMAIL, "email")
    masking.mask(_OBFUSCATED_EMAIL_RE, EMAIL, "email", _email_length)
    masking.mask(_IBAN_RE, IBAN, "iban", _iban_length)
    masking.mask(_CARD_RE, CARD, "card", _accept(_is_card))
    masking.mask(_SSN_RE, SSN, "ssn", _accept(_is_ssn))
    masking.mask(_SSN_CONTEXT_RE, SSN, "ssn", _accept(_is_ssn, 1), group=1)
    for pattern in _ADDRESS_RES:
        masking.mask(pattern, ADDRESS, "address")
    for pattern in _PHONE_RES:
        masking.mask(pattern, PHONE, "phone", _accept(_is_phone))
    masking.mask(_PHONE_CONTEXT_RE, PHONE, "phone", _accept(_is_cued_number, 1), group=1)
    return Redacted(masking.result(), masking.counts)


def redacted(text: str) -> str:
    """`text` with personal data masked: what may leave kbops (reports, prompts, packages)."""
    return redact(text).text


def pseudonym(value: str, kind: str = "id") -> str:
    """An identifier safe to show: itself, or when it holds personal data (a customer id that
    is an email) a stable `<kind>-<hash>` that still tells different values apart."""
    return value if redact(value).total == 0 else f"{kind}-{hashlib.sha256(value.encode('utf-8')).hexdigest()[:10]}"
