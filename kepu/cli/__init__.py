"""The `kepu` command (kepu.cli.commands), with the reporting-in commands (imports) and the user commands (users).
The top layer beside kepu.ui: it may use every other part of kepu."""

from kepu.cli.commands import main

__all__ = ["main"]
