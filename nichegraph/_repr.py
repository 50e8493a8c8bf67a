"""Short ``repr`` for result objects: tables and arrays as their shape, one field a line."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["brief", "short_repr"]

_WIDTH = 60


def brief(value: Any) -> str:
    """One short text for any field value.

    >>> brief(pd.DataFrame({"a": [1, 2]}))
    '<DataFrame 2 rows x 1 columns: a>'
    >>> brief(tuple(range(1000)))
    '<tuple of 1000>'
    """
    if isinstance(value, pd.DataFrame):
        cols = ", ".join(map(str, value.columns[:6])) + (", …" if value.shape[1] > 6 else "")
        return f"<DataFrame {value.shape[0]} rows x {value.shape[1]} columns: {cols}>"
    if isinstance(value, pd.Series | np.ndarray):
        return f"<{type(value).__name__} of {len(value)}>"
    if hasattr(value, "vcount") and hasattr(value, "ecount"):  # an igraph graph
        return f"<{type(value).__name__} {value.vcount()} nodes, {value.ecount()} edges>"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return f"<{type(value).__name__}>"
    text = repr(value)
    if len(text) <= _WIDTH:
        return text
    if isinstance(value, dict | list | tuple | set | frozenset):
        return f"<{type(value).__name__} of {len(value)}>"
    return text[: _WIDTH - 1] + "…"


def short_repr(obj: Any) -> str:
    """``Class(`` then one ``field=value`` line per shown field, each value :func:`brief`.

    >>> @dataclasses.dataclass
    ... class R:
    ...     table: pd.DataFrame
    ...     n: int
    >>> print(short_repr(R(pd.DataFrame({"x": [1]}), 3)))
    R(
      table=<DataFrame 1 rows x 1 columns: x>,
      n=3,
    )
    """
    lines = [
        f"  {f.name}={brief(getattr(obj, f.name))},"
        for f in dataclasses.fields(obj)
        if f.repr and not f.name.startswith("_")
    ]
    return "\n".join([f"{type(obj).__name__}(", *lines, ")"])
