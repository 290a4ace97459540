"""`python -m kbops` runs the CLI."""

from .cli import main

main()
