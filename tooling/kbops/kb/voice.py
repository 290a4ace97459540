"""The team's voice guide, kept as code in the KB repo (`kb/_style/voice.md`, issue 17).

It is Markdown with front matter (`kind: voice-guide`, `language: en`), one `## <profile>`
section per tone profile (`frustrated`, `new_user`, `power_user`, `neutral`) holding
`Opening:` and `Closing:` lines (optionally per language: `Opening (de):`) and a short
example reply, and a `## Rules` section of voice rules. The offline backend takes the
openings and closings; the Claude backend gets the rules and the profile's example. It is
never an article (the loader skips `_style/`) and never published. Parsing is lenient
(the agent uses what it can read); `kbops lint` reports every structural problem with its
file and line (`voice_findings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import Finding, Severity

VOICE_GUIDE = "_style/voice.md"
"""Default place of the guide, relative to the KB folder (`agent.voice_guide`)."""
STYLE_DIR = "_style"
"""KB sub-folder for style files: never loaded as articles, never published."""
KIND = "voice-guide"
PROFILE_NAMES = ("frustrated", "new_user", "power_user", "neutral")
"""The tone profiles (`agent/fit.py` PROFILES; the kb layer cannot import the agent's)."""
RULES_HEADING = "rules"
MAX_LINE_CHARS = 300
"""An opening or closing is one short line: longer is a paragraph in the wrong place."""
MAX_GUIDE_BYTES = 64_000

_LINE_RE = re.compile(r"^(opening|closing|follow-ups)(?:\s*\(([a-z]{2})\))?\s*:\s*(.*)$", re.IGNORECASE)
_HEADING_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")
FIX_FORMAT = "see docs/tone.md for the voice guide's format"


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    openings: dict[str, str] = field(default_factory=dict)
    """Language code ("" = the guide's language) -> opening line ("" = none)."""
    closings: dict[str, str] = field(default_factory=dict)
    follow_ups: dict[str, str] = field(default_factory=dict)
    """Optional heading of the follow-up questions block (`Follow-ups:`)."""
    example: str = ""


@dataclass(frozen=True)
class VoiceGuide:
    language: str
    profiles: dict[str, VoiceProfile]
    rules: str = ""
    path: str = ""

    def opening(self, profile: str, language: str = "") -> str:
        """The profile's opening line in `language` (else the guide's own); "" when none."""
        return _pick(self.profiles.get(profile), "openings", language)

    def closing(self, profile: str, language: str = "") -> str:
        return _pick(self.profiles.get(profile), "closings", language)

    def follow_ups_heading(self, profile: str, language: str = "") -> str:
        """The heading of the follow-up questions block; "" = the default one."""
        return _pick(self.profiles.get(profile), "follow_ups", language)

    def for_model(self, profile: str) -> str:
        """What a drafting model is told: the rules, and the profile's lines and example."""
        parts = [f"Voice rules:\n{self.rules}"] if self.rules else []
        chosen = self.profiles.get(profile)
        if chosen is not None:
            lines = [f"Opening: {self.opening(profile)}" if self.opening(profile) else "Opening: none",
                     f"Closing: {self.closing(profile)}" if self.closing(profile) else "Closing: none"]
            if chosen.example:
                lines.append(f"Example reply:\n{chosen.example}")
            parts.append(f"Tone profile {profile}:\n" + "\n".join(lines))
        return "\n\n".join(parts)


def _pick(profile: VoiceProfile | None, kind: str, language: str) -> str:
    if profile is None:
        return ""
    lines: dict[str, str] = getattr(profile, kind)
    return lines.get(language, lines.get("", "")) if language else lines.get("", "")


def load_voice_guide(kb_dir: Path, path: str = VOICE_GUIDE) -> VoiceGuide | None:
    """The KB's voice guide, or None when it has none (or it cannot be read: lint says why)."""
    file = kb_dir / path
    try:
        if not file.is_file() or file.stat().st_size > MAX_GUIDE_BYTES:
            return None
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    guide, _ = parse_voice_guide(text, path)
    return guide


def voice_findings(kb_dir: Path, base: Path, path: str = VOICE_GUIDE) -> list[Finding]:
    """Structural problems of the guide as lint findings (paths relative to `base`); none
    when the KB has no guide."""
    file = kb_dir / path
    try:
        rel = file.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        rel = file.as_posix()
    if not file.exists():
        return []
    try:
        if file.stat().st_size > MAX_GUIDE_BYTES:
            return [_error(rel, 1, f"the voice guide is over {MAX_GUIDE_BYTES // 1000} KB", "keep it short")]
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [_error(rel, 1, "the voice guide is not valid UTF-8", "save the file as UTF-8")]
    except OSError as exc:
        return [_error(rel, 1, f"cannot read the voice guide ({exc.strerror})", "check its permissions")]
    return parse_voice_guide(text, rel)[1]


def parse_voice_guide(text: str, rel: str) -> tuple[VoiceGuide, list[Finding]]:
    """The guide as far as it can be read, and its problems (file:line)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    problems: list[Finding] = []
    language, body_start = _front_matter(lines, rel, problems)
    sections = _sections(lines, body_start, rel, problems)
    profiles: dict[str, VoiceProfile] = {}
    rules = ""
    for name, line_no, body in sections:
        if name == RULES_HEADING:
            rules = "\n".join(text for _, text in body).strip()
            if not rules:
                problems.append(_error(rel, line_no, "the Rules section is empty", "list the team's voice rules"))
            continue
        profiles[name] = _profile(name, line_no, body, rel, problems)
    if RULES_HEADING not in {name for name, _, _ in sections}:
        problems.append(_warning(rel, 1, "no `## Rules` section", "add the team's voice rules under `## Rules`"))
    for name in PROFILE_NAMES:
        if name not in profiles:
            problems.append(_warning(rel, 1, f"no `## {name}` section: replies of that tone get no opening or "
                                     "closing", f"add a `## {name}` section"))
    return VoiceGuide(language, profiles, rules, rel), problems


def _front_matter(lines: list[str], rel: str, problems: list[Finding]) -> tuple[str, int]:
    """(the guide's language, index of the first body line)."""
    if not lines or lines[0].strip() != "---":
        problems.append(_error(rel, 1, "no front matter", "start the file with `---`, `kind: voice-guide`, "
                               "`language: en`, `---`"))
        return "en", 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        problems.append(_error(rel, 1, "front matter is not closed", "add a `---` line after the fields"))
        return "en", len(lines)
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(_error(rel, (mark.line + 2) if mark else 2, "front matter is not valid YAML",
                               "write `key: value` lines"))
        return "en", end + 1
    meta = meta if isinstance(meta, dict) else {}
    field_line = {key: i + 1 for i in range(1, end) for key in ("kind", "language")
                  if lines[i].split(":", 1)[0].strip() == key}
    if meta.get("kind") != KIND:
        problems.append(_error(rel, field_line.get("kind", 2), f"front matter `kind` is {meta.get('kind')!r}, "
                               f"not '{KIND}'", f"set `kind: {KIND}`"))
    language = meta.get("language", "en")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language):
        problems.append(_error(rel, field_line.get("language", 2), f"`language` {language!r} is not an ISO 639-1 "
                               "code", "write two lowercase letters, e.g. `language: en`"))
        language = "en"
    unknown = sorted(str(key) for key in meta if key not in ("kind", "language"))
    if unknown:
        problems.append(_error(rel, 2, f"unknown front matter field(s): {', '.join(unknown)}",
                               "keep only `kind` and `language`"))
    return language, end + 1


def _sections(lines: list[str], start: int, rel: str,
              problems: list[Finding]) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """(lower-cased heading, its line, its (line, text) body) for every `##` section."""
    found: list[tuple[str, int, list[tuple[int, str]]]] = []
    fenced = False
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        fenced = fenced != line.lstrip().startswith("```")
        heading = None if fenced else _HEADING_RE.match(line)
        if heading is None:
            if found:
                found[-1][2].append((number, line))
            continue
        name = heading.group(1).strip().lower().replace(" ", "_").replace("-", "_")
        if name != RULES_HEADING and name not in PROFILE_NAMES:
            problems.append(_error(rel, number, f"unknown section '{heading.group(1)}'",
                                   f"name sections Rules or a tone profile: {', '.join(PROFILE_NAMES)}"))
            found.append(("", number, []))  # swallow its body
            continue
        if name in {n for n, _, _ in found}:
            problems.append(_error(rel, number, f"section '{heading.group(1)}' appears twice", "keep one of them"))
            found.append(("", number, []))
            continue
        found.append((name, number, []))
    return [section for section in found if section[0]]


def _profile(name: str, line_no: int, body: list[tuple[int, str]], rel: str,
             problems: list[Finding]) -> VoiceProfile:
    lines_of: dict[str, dict[str, str]] = {"opening": {}, "closing": {}, "follow-ups": {}}
    example: list[str] = []
    for number, line in body:
        match = _LINE_RE.match(line.strip())
        if match is None:
            example.append(line)
            continue
        kind, language, value = match.group(1).lower(), (match.group(2) or "").lower(), match.group(3).strip()
        target = lines_of[kind]
        label = f"{kind.capitalize()}{f' ({language})' if language else ''}"
        if language in target:
            problems.append(_error(rel, number, f"`{label}:` appears twice in '{name}'", "keep one of them"))
            continue
        if len(value) > MAX_LINE_CHARS:
            problems.append(_error(rel, number, f"`{label}:` is {len(value)} characters, over {MAX_LINE_CHARS}",
                                   "keep openings and closings to one short sentence"))
            continue
        target[language] = value if value not in ("-", "none") else ""
    for kind, lines in (("Opening", lines_of["opening"]), ("Closing", lines_of["closing"])):
        if "" not in lines:
            problems.append(_error(rel, line_no, f"section '{name}' has no `{kind}:` line",
                                   f"add `{kind}: <one line>` (leave it empty for none)"))
    text = "\n".join(example).strip()
    if not text:
        problems.append(_warning(rel, line_no, f"section '{name}' has no example reply",
                                 "add one short example of a reply in this tone"))
    return VoiceProfile(name, lines_of["opening"], lines_of["closing"], lines_of["follow-ups"], text)


def _error(rel: str, line: int, message: str, fix: str = FIX_FORMAT) -> Finding:
    return Finding(rel, line, "voice-guide", Severity.ERROR, message, fix)


def _warning(rel: str, line: int, message: str, fix: str = FIX_FORMAT) -> Finding:
    return Finding(rel, line, "voice-guide-incomplete", Severity.WARNING, message, fix)
