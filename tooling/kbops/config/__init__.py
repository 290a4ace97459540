"""Configuration: `kbops.toml` read once into a frozen `Settings` that every stage receives."""

from .defaults import (
    DEFAULT_CATEGORIES,
    DEFAULT_RISK_KEYWORDS,
    DEFAULT_RISK_TOPICS,
    RAGAS_LLM_METRICS,
    RAGAS_METRICS,
)
from .loading import (
    CONFIG_FILE,
    config_reference,
    find_project_root,
    load_settings,
    settings_from_dict,
)
from .loop import FeedbackSettings, HandoffSettings, KpiSettings, ReviewSettings
from .operations import SEVERITIES, HistorySettings, RouteRule, TriageSettings, WeeklySettings
from .schema import (
    AgentSettings,
    CalibrationSettings,
    ClaudeSettings,
    EmbeddingSettings,
    EvalSettings,
    GapsSettings,
    IndexSettings,
    KBSettings,
    LintSettings,
    MemorySettings,
    PolicySettings,
    RagasSettings,
    RedactionSettings,
    RetrievalSettings,
    Settings,
    SiteSettings,
    TunedSource,
)
from .tone import ToneSettings
from .tuned import TUNED_FILE, render_tuned, without_tuned

__all__ = [
    "CONFIG_FILE", "DEFAULT_CATEGORIES", "DEFAULT_RISK_KEYWORDS", "DEFAULT_RISK_TOPICS", "RAGAS_LLM_METRICS",
    "RAGAS_METRICS", "AgentSettings", "CalibrationSettings", "ClaudeSettings", "EmbeddingSettings", "EvalSettings", "GapsSettings",
    "IndexSettings", "KBSettings", "LintSettings", "MemorySettings", "PolicySettings", "RagasSettings", "RedactionSettings",
    "RetrievalSettings", "Settings", "SiteSettings", "config_reference", "find_project_root", "load_settings",
    "settings_from_dict", "TUNED_FILE", "SEVERITIES", "HistorySettings", "RouteRule", "TriageSettings", "WeeklySettings", "TunedSource", "render_tuned", "without_tuned",
    "FeedbackSettings", "HandoffSettings", "KpiSettings", "ReviewSettings", "ToneSettings",
]
