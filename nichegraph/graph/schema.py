"""The canonical interaction table: column names, recognised aliases and small helpers.

Every reader turns its input into one table with the columns of :data:`CANONICAL` (those
present, in that order). Header names of common exports are recognised automatically
(:data:`HEADER_ALIASES`); anything else is named with ``--map field=COLUMN``
(:func:`parse_mapping`). Raw kinds become canonical ones through :data:`KIND_ALIASES`
(:func:`normalise_kind`, extendable with :func:`parse_kind_aliases`); the value parsers live in
:mod:`nichegraph.graph.columns` and are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .cells import arrow_strings, distinct_cleaned
from .columns import TIME_DTYPE, ParsedColumn, as_text, parse_timestamps, parse_weights

__all__ = [
    "CANONICAL",
    "DEFAULT_KIND",
    "HEADER_ALIASES",
    "KIND_ALIASES",
    "REQUIRED",
    "TIME_DTYPE",
    "ParsedColumn",
    "as_text",
    "header_key",
    "match_headers",
    "normalise_kind",
    "parse_kind_aliases",
    "parse_mapping",
    "parse_timestamps",
    "parse_weights",
    "split_pair",
]

CANONICAL: tuple[str, ...] = ("source", "target", "kind", "timestamp", "platform", "weight", "text")
"""The columns of the canonical table, in order."""

REQUIRED: tuple[str, ...] = ("source", "target")
"""Columns every input must provide."""

DEFAULT_KIND = "interaction"
"""The kind of a row whose kind is empty or whose input has no kind column."""

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "source": (
        "source",
        "from",
        "src",
        "author",
        "actor",
        "user",
        "usera",
        "from_user",
        "vertex 1",
    ),
    "target": ("target", "to", "dst", "parent_author", "userb", "to_user", "vertex 2"),
    "kind": ("kind", "type", "interaction", "interaction_type", "action", "relationship"),
    "timestamp": (
        "timestamp",
        "time",
        "date",
        "datetime",
        "created_at",
        "created_utc",
        "relationship date (utc)",
    ),
    "platform": ("platform", "network", "site"),
    "weight": ("weight", "count"),
    "text": ("text", "body", "content", "tweet", "message"),
}
"""Header names recognised for each canonical column, in order of preference.

Names are compared by :func:`header_key` (case-insensitive, ignoring surrounding whitespace
and any spaces, underscores or hyphens), so ``Vertex 1``, ``vertex_1`` and ``VERTEX-1`` are
the same header.
"""

KIND_ALIASES: dict[str, str] = {
    # SNAP Higgs activity codes and retweets on every platform (boosts, reblogs, reposts)
    "rt": "retweet",
    "retweet": "retweet",
    "retweets": "retweet",
    "retweeted": "retweet",
    "boost": "retweet",
    "boosted": "retweet",
    "reblog": "retweet",
    "reblogged": "retweet",
    "repost": "retweet",
    "mt": "mention",
    "mention": "mention",
    "mentions": "mention",
    "mentionsinretweet": "mention",  # NodeXL
    "mentionsinquote": "mention",
    "mentionsinreplyto": "mention",
    "re": "reply",
    "reply": "reply",
    "replies": "reply",
    "replies to": "reply",  # NodeXL
    "replied": "reply",
    "replied_to": "reply",  # X API v2 referenced_tweets type
    "quote": "quote",
    "quotes": "quote",
    "quoted": "quote",
    "comment": "comment",
    "comments": "comment",
    "like": "like",
    "likes": "like",
    "favorite": "like",
    "favourite": "like",
    "fav": "like",
    "tweet": "post",  # NodeXL's self-loop row for a plain tweet
    "post": "post",
}
"""Lower-cased raw kind → canonical kind. Kinds not listed are kept, lower-cased."""

_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(name: object) -> str:
    """The form in which header names are compared: lower case, no spaces/underscores/hyphens.

    >>> header_key("  Relationship Date (UTC) ")
    'relationshipdate(utc)'
    >>> header_key("from_user") == header_key("From User") == header_key("from-user")
    True
    """
    return _SEPARATORS.sub("", str(name).strip().lower())


_ALIAS_KEYS: dict[str, tuple[str, ...]] = {
    field: tuple(dict.fromkeys(header_key(a) for a in aliases))
    for field, aliases in HEADER_ALIASES.items()
}


def match_headers(
    columns: Sequence[str], *, skip_fields: Iterable[str] = (), skip_columns: Iterable[str] = ()
) -> tuple[dict[str, str], list[str]]:
    """Recognise canonical columns among ``columns`` by their names.

    Returns ``(mapping, notes)``: ``mapping`` is canonical name → column for every canonical
    name recognised (in :data:`CANONICAL` order); ``notes`` describe ambiguities. For each
    canonical name the exact canonical header wins, then the aliases in their listed order,
    then the file's column order. A column fills at most one canonical name. Fields in
    ``skip_fields`` and columns in ``skip_columns`` (already mapped explicitly) are left out.

    >>> match_headers(["Vertex 1", "Vertex 2", "Relationship", "Tweet"])[0]
    {'source': 'Vertex 1', 'target': 'Vertex 2', 'kind': 'Relationship', 'text': 'Tweet'}
    """
    fields_done = set(skip_fields)
    used = set(skip_columns)
    keys = [header_key(c) for c in columns]
    mapping: dict[str, str] = {}
    notes: list[str] = []
    for field in CANONICAL:
        if field in fields_done:
            continue
        candidates = list(
            dict.fromkeys(
                columns[i]
                for key in _ALIAS_KEYS[field]
                for i, k in enumerate(keys)
                if k == key and columns[i] not in used
            )
        )
        if not candidates:
            continue
        mapping[field] = candidates[0]
        used.add(candidates[0])
        if len(candidates) > 1:
            ignored = ", ".join(repr(c) for c in candidates[1:])
            notes.append(
                f"several columns look like {field}: using {candidates[0]!r}, ignoring {ignored}"
                f"; choose another with --map {field}=COLUMN"
            )
    return mapping, notes


def split_pair(item: str, option: str, shape: str, example: str, hint: str = "") -> tuple[str, str]:
    """One ``NAME=VALUE`` item as ``(name, value)``, stripped; the one error for every option
    given as pairs (``--map``, ``--kind-alias``, ``--weight``, ``--score-weight``).

    >>> split_pair(" QT = quote", "--kind-alias", "CODE=KIND", "QT=quote")
    ('QT', 'quote')
    >>> split_pair("QT", "--kind-alias", "CODE=KIND", "QT=quote")
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: --kind-alias QT: expected CODE=KIND, e.g. --kind-alias QT=quote
    """
    name, sep, value = str(item).partition("=")
    name, value = name.strip(), value.strip()
    if not sep:
        raise InputError(f"{option} {item}: expected {shape}, e.g. {option} {example}{hint}")
    if not name or not value:
        raise InputError(
            f"{option} {item}: both sides must be non-empty; write {shape}, e.g. {option} {example}"
        )
    return name, value


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """Parse CLI ``--map FIELD=COLUMN`` items into ``{field: column}``.

    >>> parse_mapping(["source=from_user", "target = to_user"])
    {'source': 'from_user', 'target': 'to_user'}
    """
    if isinstance(items, str):
        items = [items]
    mapping: dict[str, str] = {}
    for item in items:
        hint = f"; FIELD is one of {', '.join(CANONICAL)}"
        field, column = split_pair(item, "--map", "FIELD=COLUMN", "source=from_user", hint)
        field = field.lower()
        if field not in CANONICAL:
            raise InputError(
                f"--map {item}: unknown field {field!r}; use one of {', '.join(CANONICAL)}"
            )
        if field in mapping:
            raise InputError(
                f"--map {item}: {field!r} is mapped twice (also to {mapping[field]!r}); "
                "give each field once"
            )
        mapping[field] = column
    return mapping


def parse_kind_aliases(items: Mapping[str, str] | Sequence[str] | None) -> dict[str, str]:
    """Parse ``--kind-alias CODE=KIND`` items (or a mapping) into ``{code: kind}``, lower-cased.

    User aliases extend :data:`KIND_ALIASES` and win over it for the same code.

    >>> parse_kind_aliases(["FAV=like", " QT = quote"])
    {'fav': 'like', 'qt': 'quote'}
    """
    if not items:
        return {}
    if isinstance(items, str):
        items = [items]
    pairs = list(items.items()) if isinstance(items, Mapping) else []
    if not isinstance(items, Mapping):
        pairs += [split_pair(item, "--kind-alias", "CODE=KIND", "QT=quote") for item in items]
    out: dict[str, str] = {}
    for code, kind in pairs:
        code_, kind_ = str(code).strip().lower(), str(kind).strip().lower()
        if not code_ or not kind_:
            raise InputError(
                f"--kind-alias {code}={kind}: both sides must be non-empty; "
                "write CODE=KIND, e.g. --kind-alias QT=quote"
            )
        if code_ in out and out[code_] != kind_:
            raise InputError(
                f"--kind-alias {code}={kind}: {code_!r} is already an alias of {out[code_]!r}; "
                "give each code once"
            )
        out[code_] = kind_
    return out


def normalise_kind(series: pd.Series, aliases: Mapping[str, str] | None = None) -> pd.Series:
    """Canonical kinds for raw kind values (vectorised).

    Values are stripped and lower-cased, then mapped through ``aliases`` (lower-cased codes,
    from :func:`parse_kind_aliases`) and :data:`KIND_ALIASES`; unknown kinds are kept
    lower-cased; empty or missing values become ``"interaction"``. The work is done once per
    distinct value, not once per row.

    >>> normalise_kind(pd.Series(["RT", " Replies to ", "", None, "Upvote"])).tolist()
    ['retweet', 'reply', 'interaction', 'interaction', 'upvote']
    >>> normalise_kind(pd.Series(["QT", "rt"]), {"qt": "quote"}).tolist()
    ['quote', 'retweet']
    """
    table = {**KIND_ALIASES, **(aliases or {})}
    arr = arrow_strings(series)
    clean = None if arr is None or arr.null_count else distinct_cleaned(arr)
    if clean is not None and all(r and table.get(r, r) == k for k, r in clean):  # canonical
        return pd.Series(series.array, index=series.index, name=series.name)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    raw = pd.Series(uniques, dtype="str").str.strip().str.lower()
    canon = raw.map(lambda v: table.get(v, v), na_action="ignore")
    canon = canon.where(canon.str.len() > 0, DEFAULT_KIND).fillna(DEFAULT_KIND)
    lookup = pa.array([*canon.tolist(), DEFAULT_KIND], pa.large_string())  # code -1 → last
    values = pc.take(lookup, np.where(codes < 0, len(canon), codes))  # no Python str per row
    return pd.Series(pd.array(values, dtype="str"), index=series.index, name=series.name)
