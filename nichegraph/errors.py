"""One exception tree for nichegraph.

Every error caused by the user's input or options derives from :class:`InputError`; the CLI
maps it to exit code 2 with a one-line message. Anything else is a runtime failure (exit 1).
"""

from __future__ import annotations

__all__ = ["InputError", "NichegraphError"]


class NichegraphError(Exception):
    """Base class of every error nichegraph raises on purpose."""


class InputError(NichegraphError, ValueError):
    """Bad input data or options: the message states the rule and names the offending value.

    >>> raise InputError("column 'source' is missing; columns found: a, b")
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: column 'source' is missing; columns found: a, b
    """
