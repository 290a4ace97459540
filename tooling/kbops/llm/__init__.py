"""Large-language-model access: one Anthropic client and the versioned prompt templates."""
