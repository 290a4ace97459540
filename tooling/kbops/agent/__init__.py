"""The answering agent: retrieve, draft a cited answer, and let plain code decide whether
to answer or escalate (`policy`). Backends draft; they never decide a gate."""
