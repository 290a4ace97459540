"""`kbops init`: a new KB repository that works from the first command (config, example articles and tickets, help site, CI gate, pre-commit)."""
