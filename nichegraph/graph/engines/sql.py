"""The aggregation of :func:`~nichegraph.build_graph` as one SQL query, in four dialects.

The query reads a table named ``interactions`` with the canonical columns (``source``,
``target``, ``kind``, ``timestamp``, ``weight``) and returns one row per tie: ``source``,
``target``, ``weight`` (sum of kind weight x row weight x time decay), ``n`` (rows), ``n_<kind>``
(rows per kind) and, with a timestamp column, ``first_ts`` / ``last_ts``. It applies the same
rules in the same order as the built-in aggregation, so a warehouse computes the same weights:

1. keep rows in ``[since, until)`` (undated rows are dropped when a window is given);
2. drop self-loops (a ``post`` is an author's activity, any other self-loop is not a tie);
3. row weight = kind weight (unknown kinds weigh as ``interaction``) x ``weight``;
4. with a half-life, x ``0.5 ** (age / half-life)``, age measured back from the newest
   timestamp among the rows kept by 1-2 (undated rows are not decayed);
5. drop rows whose weight is not positive, then sum per (source, target).

Numbers are written as double literals and multiplied in the built-in order, so each row's
weight is the same double; sums may differ in the last bits where an engine adds in another
order (relative error ~1e-15).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...errors import InputError
from ..build import DEFAULT_KIND_WEIGHTS, parse_date, parse_duration, parse_kind_weights

__all__ = ["DIALECTS", "Aggregation", "aggregation_sql"]

DIALECTS = ("duckdb", "spark", "bigquery", "snowflake")
"""SQL dialects :func:`aggregation_sql` writes."""

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
_BACKSLASH_STRINGS = {"spark", "bigquery"}  # string literals escape with a backslash there


@dataclass(frozen=True)
class Aggregation:
    """The options of an aggregation, checked: full kind weights, half-life, window.

    >>> Aggregation.make(half_life="2w").half_life_seconds
    1209600.0
    """

    kind_weights: tuple[tuple[str, float], ...]
    half_life: pd.Timedelta | None = None
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None

    @classmethod
    def make(
        cls,
        kind_weights: Mapping[str, float] | None = None,
        half_life: str | float | pd.Timedelta | None = None,
        since: Any = None,
        until: Any = None,
    ) -> Aggregation:
        """Check the options as :func:`~nichegraph.build_graph` does and keep them."""
        weights = dict(DEFAULT_KIND_WEIGHTS)
        if kind_weights:
            weights.update(parse_kind_weights(dict(kind_weights)))
        s = parse_date(since, "--since") if since is not None else None
        u = parse_date(until, "--until") if until is not None else None
        if s is not None and u is not None and s >= u:
            raise InputError(f"--since {since} is not before --until {until}")
        hl = parse_duration(half_life) if half_life is not None else None
        return cls(tuple(sorted(weights.items())), hl, s, u)

    @property
    def half_life_seconds(self) -> float | None:
        return None if self.half_life is None else self.half_life.total_seconds()

    @property
    def needs_time(self) -> bool:
        """A window or a half-life: the log must have timestamps."""
        return self.half_life is not None or self.since is not None or self.until is not None

    def weight_of(self, kind: str) -> float:
        """The weight of one interaction of ``kind`` (unknown kinds: ``interaction``'s)."""
        weights = dict(self.kind_weights)
        return weights.get(kind, weights["interaction"])

    def sql(self, dialect: str, **options: Any) -> str:
        """:func:`aggregation_sql` for these options (``options``: its other arguments)."""
        return aggregation_sql(
            dialect,
            kind_weights=dict(self.kind_weights),
            half_life=self.half_life,
            since=self.since,
            until=self.until,
            **options,
        )

    def report_fields(self, kinds: Iterable[str]) -> dict[str, Any]:
        """The options part of a :class:`~nichegraph.graph.build.BuildReport`."""
        known = dict(self.kind_weights)
        used = list(kinds)
        return {
            "kind_weights": {k: self.weight_of(k) for k in used},
            "unknown_kinds": tuple(k for k in used if k not in known),
            "half_life": str(self.half_life) if self.half_life is not None else None,
            "since": self.since.isoformat() if self.since is not None else None,
            "until": self.until.isoformat() if self.until is not None else None,
        }


def _double(x: float) -> str:
    text = repr(float(x))
    return text if "e" in text else text + "e0"


def _string(value: str, dialect: str) -> str:
    if dialect in _BACKSLASH_STRINGS:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + value.replace("'", "''") + "'"


def _name(value: str, dialect: str) -> str:
    if _PLAIN.match(value) and value not in ("timestamp", "source", "target"):
        return value
    if dialect in ("spark", "bigquery"):
        return "`" + value.replace("`", "``") + "`"
    if dialect == "snowflake" and value in ("timestamp", "source", "target"):
        return value  # unquoted: Snowflake folds it to the upper-case column name
    return '"' + value.replace('"', '""') + '"'


def _time(ts: pd.Timestamp, dialect: str) -> str:
    text = ts.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00:00"
    if dialect == "snowflake":
        return f"'{text}'::TIMESTAMP_TZ"
    return f"{'TIMESTAMPTZ' if dialect == 'duckdb' else 'TIMESTAMP'} '{text}'"


def _micros(expr: str, dialect: str) -> str:
    return {
        "duckdb": f"epoch_us({expr})",
        "spark": f"unix_micros({expr})",
        "bigquery": f"UNIX_MICROS({expr})",
        "snowflake": f"DATE_PART(epoch_microsecond, {expr})",
    }[dialect]


def aggregation_sql(
    dialect: str = "duckdb",
    *,
    kind_weights: Mapping[str, float] | None = None,
    half_life: str | float | pd.Timedelta | None = None,
    since: Any = None,
    until: Any = None,
    kinds: Iterable[str] | None = None,
    table: str = "interactions",
    timestamps: bool = True,
    weights: bool = True,
    order: bool = True,
    reference: pd.Timestamp | None = None,
) -> str:
    """The aggregation query for ``dialect`` (one of :data:`DIALECTS`) and these options.

    ``kinds`` are the kinds that get an ``n_<kind>`` count (default: the kinds with a weight);
    ``timestamps=False`` / ``weights=False`` for a table without those columns;
    ``order=False`` leaves out the final ``ORDER BY source, target``; ``reference`` (the newest
    timestamp of the rows kept, when the caller knows it) replaces the subquery that finds it,
    so the rows are scanned once.

    >>> import duckdb, pandas as pd
    >>> interactions = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "b", "c"],
    ...     "kind": ["reply", "like", "mention"], "weight": [1.0, 1.0, 2.0]})
    >>> q = aggregation_sql("duckdb", kinds=["like", "mention", "reply"], timestamps=False)
    >>> duckdb.sql(q).fetchall()
    [('a', 'b', 3.5, 2, 1, 0, 1), ('b', 'c', 3.0, 1, 0, 1, 0)]
    """
    if dialect not in DIALECTS:
        raise InputError(f"--dialect must be one of {', '.join(DIALECTS)}, got {dialect!r}")
    agg = Aggregation.make(kind_weights, half_life, since, until)
    if agg.needs_time and not timestamps:
        raise InputError(
            "--since/--until/--half-life need a timestamp column; the log has none "
            "(map one with --map timestamp=COLUMN)"
        )
    kinds = sorted(set(kinds) if kinds is not None else dict(agg.kind_weights))
    ts = _name("timestamp", dialect)
    src, tgt = _name("source", dialect), _name("target", dialect)
    cases = " ".join(
        f"WHEN {_string(k, dialect)} THEN {_double(w)}"
        for k, w in agg.kind_weights
        if w != agg.weight_of("interaction") or k == "interaction"
    )
    kind_weight = f"CASE kind {cases} ELSE {_double(agg.weight_of('interaction'))} END"
    where = [f"{src} <> {tgt}"]
    if agg.since is not None:
        where.append(f"{ts} >= {_time(agg.since, dialect)}")
    if agg.until is not None:
        where.append(f"{ts} < {_time(agg.until, dialect)}")
    row_weight = f"{kind_weight} * weight" if weights else kind_weight
    cols = f"{src}, {tgt}, kind" + (f", {ts} AS ts" if timestamps else "")
    lines = [
        "WITH kept AS (",
        f"  SELECT {cols}, {row_weight} AS w0",
        f"  FROM {table}",
        f"  WHERE {' AND '.join(where)}",
        ")",
    ]
    if agg.half_life_seconds is not None and reference is not None:
        age = f"({_micros(_time(reference, dialect), dialect)} - {_micros('ts', dialect)}) / 1e6"
        decay = (
            f"CASE WHEN ts IS NULL THEN 1.0e0 "
            f"ELSE POWER(0.5e0, {age} / {_double(agg.half_life_seconds)}) END"
        )
        lines += [", weighed AS (", f"  SELECT *, w0 * {decay} AS w FROM kept", ")"]
    elif agg.half_life_seconds is not None:
        age = f"({_micros('r.ref_ts', dialect)} - {_micros('k.ts', dialect)}) / 1e6"
        decay = (
            f"CASE WHEN k.ts IS NULL OR r.ref_ts IS NULL THEN 1.0e0 "
            f"ELSE POWER(0.5e0, {age} / {_double(agg.half_life_seconds)}) END"
        )
        lines += [
            ", ref AS (SELECT MAX(ts) AS ref_ts FROM kept)",
            ", weighed AS (",
            f"  SELECT k.{src}, k.{tgt}, k.kind, k.ts, k.w0 * {decay} AS w",
            "  FROM kept k CROSS JOIN ref r",
            ")",
        ]
    else:
        lines += [", weighed AS (SELECT *, w0 AS w FROM kept)"]
    counts = [
        f"  COUNT(CASE WHEN kind = {_string(k, dialect)} THEN 1 END) AS {_name('n_' + k, dialect)}"
        for k in kinds
    ]
    total = "FSUM(w)" if dialect == "duckdb" else "SUM(w)"
    outs = [f"  {total} AS weight", "  COUNT(*) AS n", *counts]
    if timestamps:
        outs += ["  MIN(ts) AS first_ts", "  MAX(ts) AS last_ts"]
    lines += [
        f"SELECT {src}, {tgt},",
        ",\n".join(outs),
        "FROM weighed",
        "WHERE w > 0",
        f"GROUP BY {src}, {tgt}",
        *([f"ORDER BY {src}, {tgt}"] if order else []),
    ]
    return "\n".join(lines) + "\n"
