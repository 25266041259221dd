"""Two kinds of failure, kept apart. A UserError is something a clerk, an administrator or a forwarded link can cause
and fix: its message says what to do, in Chinese, and the CLI and the pages show it as it is. Anything else (a
ValueError about an unknown dimension, say) is a programmer's error: it is not dressed up as advice, and it is not
shown to a clerk as if it were."""

from __future__ import annotations


class UserError(Exception):
    """A request that cannot be met as given; str(error) is the Chinese sentence to show."""
