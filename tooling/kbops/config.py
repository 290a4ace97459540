"""Load and validate `kbops.toml` into one frozen settings object that is passed down.

Every key is documented in `docs/configuration.md`; unknown keys are an error (a typo in
a gate threshold must not silently fall back to a default in CI).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

CONFIG_FILE = "kbops.toml"

DEFAULT_CATEGORIES = (
    "billing",
    "account",
    "technical",
    "integrations",
    "security",
    "getting-started",
    "feature-request",
    "bug",
)
DEFAULT_RISK_TOPICS = (
    "refund",
    "account-change",
    "account-deletion",
    "legal",
    "security-incident",
    "billing-dispute",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KBSettings(_Section):
    """Where the articles are and what values their front matter may take."""

    path: str = Field("kb", description="Folder of articles, relative to the project root.")
    categories: tuple[str, ...] = Field(DEFAULT_CATEGORIES, description="Allowed `category` values.")
    risk_topics: tuple[str, ...] = Field(
        DEFAULT_RISK_TOPICS, description="Allowed topics in an article's `sensitive` list."
    )
    max_article_bytes: int = Field(
        1_000_000, description="Larger files are reported and skipped (split them)."
    )


class LintSettings(_Section):
    """Thresholds of the `kbops lint` rules."""

    near_duplicate_title: float = Field(
        90.0, ge=0, le=100, description="Title similarity (0-100) at which two titles are flagged."
    )
    disabled: tuple[str, ...] = Field((), description="Rule codes to skip, e.g. `stale-review`.")


class IndexSettings(_Section):
    """Where the retrieval index lives (a cache: it can always be rebuilt from the KB)."""

    path: str = Field(".kbops/index", description="Index cache folder, relative to the project root.")
    chroma_url: str = Field(
        "", description="Chroma server URL; empty = embedded store. Env: KBOPS_CHROMA_URL."
    )
    embedding_cache: str = Field(
        ".kbops/embeddings.sqlite",
        description="SQLite cache of embeddings by text hash (shared by all indexes); empty disables it.",
    )


class EmbeddingSettings(_Section):
    """The embedding model; the offline built-in model is the default."""

    model: str = Field(
        "builtin:all-MiniLM-L6-v2",
        description="`builtin:all-MiniLM-L6-v2`, a folder with model.onnx, "
        "`sentence-transformers:<name>` or `chroma:default` (the last two may download).",
    )


class RetrievalSettings(_Section):
    """Hybrid search: BM25 and dense rankings fused into article hits."""

    fusion: Literal["convex", "rrf"] = Field(
        "convex", description="`convex`: weighted sum of min-max normalised scores per article; `rrf`: reciprocal rank fusion of chunks."
    )
    lexical_weight: float = Field(0.4, ge=0, description="Weight of the BM25 ranking in the fusion.")
    dense_weight: float = Field(0.6, ge=0, description="Weight of the embedding ranking in the fusion.")
    rrf_k: int = Field(60, gt=0, description="RRF constant (fusion = rrf): higher flattens the rank discount.")
    candidates: int = Field(100, gt=0, description="Chunks taken from each ranking before fusion.")


DEFAULT_RISK_KEYWORDS: dict[str, tuple[str, ...]] = {
    "refund": ("refund", "money back", "reimburse", "credit back", "return the charge", "cancel and refund"),
    "billing-dispute": ("charged twice", "double charged", "overcharged", "chargeback", "dispute", "unauthori[sz]ed charge", "wrong amount"),
    "account-change": ("change the owner", "transfer ownership", "change (?:the |my )?account email", "change (?:the |my )?email address", "make me (?:the )?owner", "remove 2fa", "disable 2fa", "reset (?:my |the )?2fa"),
    "account-deletion": ("delete (?:my|our) account", "close (?:my|our) account", "delete all (?:my|our) data", "erase (?:my|our) data", "remove (?:my|our) account"),
    "legal": ("lawyer", "attorney", "legal action", "lawsuit", "sue you", "gdpr", "subpoena", "data protection authority", "court"),
    "security-incident": ("hacked", "breach", "compromised", "unauthori[sz]ed access", "phishing", "someone logged into", "leaked"),
}


class PolicySettings(_Section):
    """When the agent must hand a ticket to a human. Gates are plain code over the ticket
    and the retrieved articles; no model output can switch them off."""

    confidence_threshold: float = Field(0.5, ge=0, le=1, description="Escalate (`low_confidence`) below this confidence.")
    risk_keywords: dict[str, tuple[str, ...]] = Field(
        DEFAULT_RISK_KEYWORDS,
        description="Risk topic -> regular expressions (case-insensitive, word-bounded) that gate a ticket (`risk_topic:<topic>`).",
    )
    semantic_risk_threshold: float = Field(
        0.62, ge=0, le=1, description="Cosine similarity to a topic's example requests that also gates it; 1 turns semantic detection off."
    )
    vip_tiers: tuple[str, ...] = Field(("enterprise",), description="Customer tiers always handed to a human (`vip_customer`).")
    negative_sentiment_threshold: float = Field(
        0.6, ge=0, le=1, description="Escalate (`negative_sentiment`) when the anger score reaches this."
    )


class RedactionSettings(_Section):
    """PII is masked before ticket text reaches an LLM backend or any report."""

    enabled: bool = Field(True, description="Mask emails, phone numbers, card numbers and street addresses.")


class ClaudeSettings(_Section):
    """The Claude drafting backend (Anthropic Messages API). The API key is never stored
    here: it comes from ANTHROPIC_API_KEY, so kbops.toml can be committed."""

    model: str = Field("claude-sonnet-4-5", description="Anthropic model id used to draft replies.")
    max_tokens: int = Field(1024, gt=0, description="Upper bound on the tokens of one drafted reply.")
    timeout_seconds: float = Field(60.0, gt=0, description="Seconds one API request may take before it counts as a timeout.")
    max_retries: int = Field(
        3, ge=0, le=10, description="Retries after a rate limit (429), server error (5xx, 529) or timeout; backoff is exponential."
    )
    base_url: str = Field("", description="API base URL; empty = the SDK default or ANTHROPIC_BASE_URL.")
    prompt_version: str = Field(
        "answer_v1", description="System prompt template (`kbops/agent/prompts/<version>.md`)."
    )


class Settings(_Section):
    """All of kbops.toml. `root` is the project folder the relative paths start from."""

    root: Path = Path(".")
    kb: KBSettings = KBSettings()
    lint: LintSettings = LintSettings()
    index: IndexSettings = IndexSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    policy: PolicySettings = PolicySettings()
    redaction: RedactionSettings = RedactionSettings()
    claude: ClaudeSettings = ClaudeSettings()

    @property
    def kb_dir(self) -> Path:
        return (self.root / self.kb.path).resolve()

    @property
    def index_dir(self) -> Path:
        return (self.root / self.index.path).resolve()

    @property
    def embedding_cache_path(self) -> Path | None:
        return (self.root / self.index.embedding_cache).resolve() if self.index.embedding_cache else None

    @property
    def chroma_url(self) -> str:
        return os.environ.get("KBOPS_CHROMA_URL", "") or self.index.chroma_url


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding kbops.toml, else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def load_settings(config_path: Path | None = None, start: Path | None = None) -> Settings:
    """Read kbops.toml (explicit path, or found upwards from `start`); defaults if absent."""
    if config_path is None:
        root = find_project_root(start or Path.cwd())
        config_path = root / CONFIG_FILE
        if not config_path.is_file():
            return Settings(root=root)
    elif not config_path.is_file():
        raise ConfigError(f"{config_path}: config file not found (check --config)")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc} (fix the syntax)") from exc
    return settings_from_dict(raw, root=config_path.resolve().parent, source=str(config_path))


def settings_from_dict(raw: dict[str, Any], root: Path, source: str = CONFIG_FILE) -> Settings:
    """Validate a parsed config; all problems are reported at once, one per line."""
    if "root" in raw:
        raise ConfigError(f"{source}: unknown key 'root' (the root is the folder of the file)")
    try:
        return Settings(root=root, **raw)
    except ValidationError as exc:
        lines = [f"{source}: invalid configuration:"]
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"])
            if err["type"] == "extra_forbidden":
                section = _section_of(err["loc"])
                lines.append(f"  {key}: unknown key (known keys: {', '.join(section)})")
            else:
                lines.append(f"  {key}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError("\n".join(lines)) from exc


def _section_of(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type):
            break
        if issubclass(field.annotation, BaseModel):
            model = field.annotation
    return [name for name in model.model_fields if name != "root"]


def config_reference() -> list[tuple[str, str, str]]:
    """(key, default, description) rows for the docs page, generated from the models."""
    rows: list[tuple[str, str, str]] = []
    for section_name, field in Settings.model_fields.items():
        section = field.annotation
        if section_name == "root" or not (isinstance(section, type) and issubclass(section, BaseModel)):
            continue
        for key, sub in section.model_fields.items():
            rows.append((f"{section_name}.{key}", repr(sub.default), sub.description or ""))
    return rows

