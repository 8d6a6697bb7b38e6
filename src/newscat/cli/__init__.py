"""The ``newscat`` command line: one module per command, one path from errors to exit codes."""

from .app import EXIT_DATA, EXIT_INTERRUPTED, EXIT_MODEL, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_DATA", "EXIT_INTERRUPTED", "EXIT_MODEL", "EXIT_USAGE", "build_parser", "main"]
