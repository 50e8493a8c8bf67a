"""Aggregate a canonical interaction table into a weighted directed igraph graph.

An edge ``a -> b`` means *a engaged with b*; influence accrues to ``b``. Every row contributes
``kind weight x row weight x time decay`` to its edge; per-kind row counts are kept on the edge.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from .._options import make_options
from .._repr import short_repr
from ..errors import InputError
from .arrays import BuiltRows, edge_arrays, edge_pairs, remember_edges
from .codes import group_codes, sorted_codes, text_codes
from .schema import KIND_ALIASES, split_pair

__all__ = [
    "DEFAULT_KIND_WEIGHTS",
    "BuildReport",
    "GraphOptions",
    "InteractionGraph",
    "build_graph",
    "in_window",
    "network_figures",
    "parse_date",
    "parse_duration",
    "parse_kind_weights",
]

#: Weight of one interaction of each kind. Effortful, conversational engagement counts most:
#: reply = comment > quote > retweet > mention > like. Unknown kinds count as ``interaction``.
DEFAULT_KIND_WEIGHTS: dict[str, float] = {
    "reply": 3.0,
    "comment": 3.0,
    "quote": 2.5,
    "retweet": 2.0,
    "mention": 1.5,
    "interaction": 1.0,
    "like": 0.5,
    "post": 0.0,
}

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_DAYS = 100_000  # pandas durations end near 106,751 days (292 years)


def parse_duration(value: str | float | pd.Timedelta) -> pd.Timedelta:
    """Parse ``"30d"``, ``"12h"``, ``"2w"``, ``"90m"``, ``"45s"``; a text needs its unit (a
    bare ``"30"`` could mean days or seconds), a Python number is days. At most 100,000 days.

    >>> parse_duration("2w")
    Timedelta('14 days 00:00:00')
    """
    how = "use a number and a unit such as 30d, 12h, 2w"
    if isinstance(value, pd.Timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value) * 86400
    else:
        m = _DURATION.match(str(value))
        if not m:
            unit = " has no unit" if re.fullmatch(r"\s*\d+(\.\d+)?\s*", str(value)) else ""
            raise InputError(f"half-life {value!r}{unit or ' is not a duration'}; {how}")
        seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    if not seconds > 0:
        raise InputError(f"half-life must be positive, got {value!r}; {how}")
    if not seconds <= _MAX_DAYS * 86400:
        raise InputError(f"half-life {value!r} is longer than {_MAX_DAYS:,} days; {how}")
    return pd.Timedelta(seconds=seconds)


def parse_kind_weights(items: Mapping[str, Any] | list[str] | tuple[str, ...]) -> dict[str, float]:
    """Parse ``["reply=3", "like=0.2"]`` (or a mapping) into ``{kind: weight}``.

    >>> parse_kind_weights(["reply=4", "like=0"])
    {'reply': 4.0, 'like': 0.0}
    """
    pairs: list[tuple[str, Any]] = []
    if isinstance(items, Mapping):
        pairs = list(items.items())
    else:
        pairs = [split_pair(item, "--weight", "KIND=NUMBER", "reply=3") for item in items]
    out: dict[str, float] = {}
    for kind, val in pairs:
        try:
            w = float(val)
        except (TypeError, ValueError):
            raise InputError(f"weight of kind {kind!r} must be a number, got {val!r}") from None
        if not np.isfinite(w) or w < 0:
            raise InputError(f"weight of kind {kind!r} must be a finite number >= 0, got {val!r}")
        out[str(kind).strip().lower()] = w
    return out


def _check_kinds_present(given: Mapping[str, float], table: pd.DataFrame) -> None:
    """A weight for a kind the log does not hold would be silently ignored: name the kinds."""
    present = sorted({str(k) for k in table["kind"].unique()})
    for kind, weight in given.items():
        if kind not in present:
            alias = KIND_ALIASES.get(kind)
            hint = f" (did you mean {alias!r}?)" if alias in present and alias != kind else ""
            raise InputError(
                f"--weight {kind}={weight:g}: the log has no kind {kind!r}{hint}; "
                f"kinds present: {', '.join(present)}"
            )


def parse_date(value: Any, name: str) -> pd.Timestamp:
    """Parse a date option (``"2026-01-31"``, ISO-8601) as a UTC timestamp; ``name`` is for errors.

    >>> parse_date("2026-01-31", "--since")
    Timestamp('2026-01-31 00:00:00+0000', tz='UTC')
    """
    if isinstance(value, str) and re.match(r"\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d", value):
        raise InputError(  # 03/06/2026: the 3rd of June or the 6th of March?
            f"{name} {value!r} does not say which number is the day; write it as YYYY-MM-DD"
        )
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} {value!r} is not a date; use YYYY-MM-DD or ISO-8601") from None
    if pd.isna(ts):
        raise InputError(f"{name} {value!r} is not a date; use YYYY-MM-DD or ISO-8601")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


@dataclass(frozen=True)
class BuildReport:
    """What aggregation did: rows used and dropped (by reason), graph size, options applied."""

    __repr__ = short_repr

    rows_in: int
    rows_used: int
    dropped: dict[str, int]
    nodes: int
    edges: int
    kind_weights: dict[str, float]
    unknown_kinds: tuple[str, ...]
    half_life: str | None
    reference_time: str | None
    since: str | None
    until: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``run.json``."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class InteractionGraph:
    """A weighted directed interaction graph and how it was built.

    ``graph`` is an ``igraph.Graph`` with vertex attributes ``name``, ``given`` (interactions
    made) and ``received``; edge attributes ``weight``, ``count`` and ``n_<kind>`` per kind.
    ``rows`` (:func:`build_graph` only): the table rows it was built from, as vertex ids.
    """

    __repr__ = short_repr

    graph: ig.Graph
    report: BuildReport
    kinds: tuple[str, ...] = field(default=())
    rows: BuiltRows | None = field(default=None, repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        """Vertex names in vertex-id order."""
        return self.graph.vs["name"] if self.graph.vcount() else []

    @property
    def n_nodes(self) -> int:
        return self.graph.vcount()

    @property
    def n_edges(self) -> int:
        return self.graph.ecount()

    def edges_frame(self) -> pd.DataFrame:
        """The aggregated edge list: source, target, weight, count and per-kind counts."""
        g = self.graph
        e, _ = edge_arrays(g, None)
        names = np.array(self.names, dtype=object)
        data: dict[str, Any] = {"source": names[e[:, 0]], "target": names[e[:, 1]]}
        for attr in g.es.attributes():
            data[attr] = g.es[attr]
        return pd.DataFrame(data)

    def to_networkx(self) -> Any:
        """A ``networkx.DiGraph`` with the same nodes (by name) and edge attributes."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.names)
        frame = self.edges_frame()
        attrs = [c for c in frame.columns if c not in ("source", "target")]
        g.add_edges_from(
            (s, t, dict(zip(attrs, vals, strict=True)))
            for s, t, *vals in frame.itertuples(index=False)
        )
        return g


@dataclass(frozen=True, kw_only=True)
class GraphOptions:
    """How to weigh and window interactions (the keywords of :func:`build_graph`).

    ``kind_weights`` (``{kind: weight}`` or ``["reply=3"]``) overrides
    :data:`DEFAULT_KIND_WEIGHTS`; ``half_life`` (``"30d"``) decays old rows; ``since``/``until``
    keep rows in ``[since, until)`` (kept as text, so ``asdict()`` is JSON-ready).

    >>> GraphOptions(kind_weights=["reply=4"], since="2026-01-01").kind_weights
    {'reply': 4.0}
    >>> GraphOptions(since="2026-02-01", until="2026-01-01")
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: since 2026-02-01 is not before until 2026-01-01
    """

    kind_weights: dict[str, float] = field(default_factory=dict)
    half_life: str | float | None = None
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        weights = self.kind_weights
        object.__setattr__(self, "kind_weights", parse_kind_weights(weights) if weights else {})
        if self.half_life is not None:
            parse_duration(self.half_life)
        stamps = {}
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                stamps[name] = parse_date(value, name)
                object.__setattr__(self, name, str(value))
        if len(stamps) == 2 and stamps["since"] >= stamps["until"]:
            raise InputError(f"since {self.since} is not before until {self.until}")


def in_window(table: pd.DataFrame, since: Any = None, until: Any = None) -> np.ndarray:
    """Which rows of ``table`` have a ``timestamp`` in ``[since, until)`` (undated rows: no).

    >>> stamps = pd.to_datetime(["2026-01-01", None, "2026-03-01"], utc=True)
    >>> t = pd.DataFrame({"timestamp": stamps})
    >>> in_window(t, since="2026-02-01").tolist(), in_window(t).tolist()
    ([False, False, True], [True, False, True])
    """
    if "timestamp" not in table.columns:
        raise InputError(
            "since/until need a timestamp column; the log has none "
            "(map one with --map timestamp=COLUMN)"
        )
    ts = table["timestamp"]
    inside = ts.notna().to_numpy(dtype=bool, copy=True)
    if since is not None:
        inside &= (ts >= parse_date(since, "since")).fillna(False).to_numpy(dtype=bool)
    if until is not None:
        inside &= (ts < parse_date(until, "until")).fillna(False).to_numpy(dtype=bool)
    return inside


def build_graph(
    interactions: Any,
    options: GraphOptions | None = None,
    **kw: Any,
) -> InteractionGraph:
    """Aggregate interactions into an :class:`InteractionGraph`.

    ``interactions`` is the result of :func:`nichegraph.read_interactions` or a DataFrame with
    at least ``source`` and ``target``. The options are a :class:`GraphOptions` or its fields as
    keywords (keywords win): ``kind_weights`` overrides :data:`DEFAULT_KIND_WEIGHTS`;
    ``half_life`` (e.g. ``"30d"``) decays each row by ``0.5 ** (age / half_life)`` where age is
    measured back from the newest timestamp; ``since``/``until`` keep rows in
    ``[since, until)``. Posts (kind ``post`` of an author to themself: activity, not an
    interaction), other self-loops and zero-weight rows are dropped and counted.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "b", "c"],
    ...                    "kind": ["reply", "like", "mention"]})
    >>> ig_ = build_graph(df)
    >>> ig_.n_nodes, ig_.n_edges, ig_.graph.es["weight"]
    (3, 2, [3.5, 1.5])
    """
    opts = make_options(GraphOptions, options, **kw)
    kind_weights, half_life, since, until = (
        opts.kind_weights,
        opts.half_life,
        opts.since,
        opts.until,
    )
    if isinstance(interactions, pd.DataFrame):
        from .read import read_interactions

        interactions = read_interactions(interactions)
    table: pd.DataFrame = interactions.table
    weights = dict(DEFAULT_KIND_WEIGHTS)
    if kind_weights:
        _check_kinds_present(kind_weights, table)
        weights.update(kind_weights)
    hl = parse_duration(half_life) if half_life is not None else None
    rows_in = len(table)
    dropped: dict[str, int] = {}
    has_time = "timestamp" in table.columns

    since_ts = parse_date(since, "--since") if since is not None else None
    until_ts = parse_date(until, "--until") if until is not None else None
    if (since_ts is not None or until_ts is not None or hl is not None) and not has_time:
        raise InputError(
            "--since/--until/--half-life need a timestamp column; the log has none "
            "(map one with --map timestamp=COLUMN)"
        )

    keep = np.ones(rows_in, dtype=bool)
    if since_ts is not None or until_ts is not None:
        undated = table["timestamp"].isna().to_numpy()
        inside = in_window(table, since_ts, until_ts)
        dropped["undated"] = int(undated.sum())
        dropped["outside_window"] = int((~inside & ~undated).sum())
        keep &= inside

    (kind_codes,), kinds = text_codes(table["kind"])
    (kind_codes,), kind_names = sorted_codes([kind_codes], kinds)
    (src, tgt), vocabulary = text_codes(table["source"], table["target"])
    self_loop = src == tgt
    post = self_loop & (kind_codes == (kind_names.index("post") if "post" in kind_names else -2))
    dropped["post"] = int((post & keep).sum())  # activity, no tie
    keep &= ~post
    dropped["self_loop"] = int((self_loop & keep).sum())
    keep &= ~self_loop

    unknown = tuple(k for k in kind_names if k not in weights)
    per_kind = np.array([weights.get(k, weights["interaction"]) for k in kind_names], dtype=float)
    w = per_kind[kind_codes] if len(kind_names) else np.ones(rows_in)
    if "weight" in table.columns:
        w = w * table["weight"].to_numpy(dtype=float)

    ref_time: pd.Timestamp | None = None
    if hl is not None:
        ts = table["timestamp"][keep]
        ref_time = ts.max() if ts.notna().any() else None
        if ref_time is not None:
            age = (ref_time - table["timestamp"]).dt.total_seconds().to_numpy(dtype=float)
            decay = np.where(np.isnan(age), 1.0, np.power(0.5, age / hl.total_seconds()))
            w = w * decay

    zero = (w <= 0) & keep
    dropped["zero_weight"] = int(zero.sum())
    keep &= ~zero

    n_used = int(keep.sum())
    if n_used == 0:
        why = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(dropped.items()) if v)
        raise InputError(f"no interactions left to build a graph from ({why or 'empty log'})")
    w, kind_codes = w[keep], kind_codes[keep]
    (s, t), names = sorted_codes([src, tgt], vocabulary, keep)  # names sorted, as before
    n = len(names)
    key = s * max(n, 1) + t
    uniq, inv = group_codes(key)
    n_edges = len(uniq)
    es, et = uniq // max(n, 1), uniq % max(n, 1)
    shifted = kind_codes + 1  # 0: no kind (a table not made by read_interactions)
    kind_rows = np.bincount(shifted, minlength=len(kind_names) + 1)
    used_kinds = [k for i, k in enumerate(kind_names) if kind_rows[i + 1]]
    small = np.uint8 if len(kind_names) < 2**8 else np.int64  # uint8: a radix sort
    inv_by_kind, ends = inv[np.argsort(shifted.astype(small), kind="stable")], np.cumsum(kind_rows)
    ties = itertools.chain(  # made one at a time, as tie_graph hands each over
        (("weight", np.bincount(inv, weights=w, minlength=n_edges)),),
        (("count", np.bincount(inv, minlength=n_edges)),),
        ((f"n_{k}", np.bincount(inv_by_kind[ends[i] : ends[i + 1]], minlength=n_edges))
         for i, k in enumerate(kind_names) if kind_rows[i + 1]),
    )  # fmt: skip
    given, received = np.bincount(s, minlength=n), np.bincount(t, minlength=n)
    g = tie_graph(names, es, et, given, received, ties)
    report = BuildReport(
        rows_in=rows_in,
        rows_used=n_used,
        dropped={k: v for k, v in sorted(dropped.items()) if v},
        nodes=n,
        edges=n_edges,
        kind_weights={k: weights.get(k, weights["interaction"]) for k in used_kinds},
        unknown_kinds=unknown,
        half_life=str(hl) if hl is not None else None,
        reference_time=ref_time.isoformat() if ref_time is not None else None,
        since=since_ts.isoformat() if since_ts is not None else None,
        until=until_ts.isoformat() if until_ts is not None else None,
    )
    rows = BuiltRows.of(keep, s, t, kind_codes, kind_names)
    return InteractionGraph(graph=g, report=report, kinds=tuple(used_kinds), rows=rows)


def network_figures(graph: InteractionGraph) -> dict[str, Any]:
    """Reciprocity (share of ties returned), weak components and the largest one's size.

    >>> import pandas as pd
    >>> g = build_graph(pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "a", "d"]}))
    >>> network_figures(g)
    {'reciprocity': 0.666667, 'components': 2, 'largest_component': 2}
    """
    from scipy.sparse import csr_matrix  # loaded by the segmentation anyway
    from scipy.sparse.csgraph import connected_components

    g = graph.graph
    n = g.vcount()
    if not n:
        return {"reciprocity": 0.0, "components": 0, "largest_component": 0}
    # weak components of the tie arrays (kept since the build): igraph's adjacency lists
    # took twice as long (10M rows: about 1 s)
    e, _ = edge_arrays(g, None)
    ties = csr_matrix((np.ones(len(e), dtype=bool), (e[:, 0], e[:, 1])), shape=(n, n))
    sizes = np.bincount(connected_components(ties, directed=True, connection="weak")[1])
    return {
        "reciprocity": round(float(g.reciprocity(ignore_loops=True)), 6) if g.ecount() else 0.0,
        "components": len(sizes),
        "largest_component": int(sizes.max()),
    }


check_kinds_present = _check_kinds_present  # the engines check --weight kinds the same way


def tie_graph(
    names: list[str],
    sources: np.ndarray,
    targets: np.ndarray,
    given: np.ndarray,
    received: np.ndarray,
    edge_attrs: Iterable[tuple[str, np.ndarray]],
) -> ig.Graph:
    """The igraph graph of ties ``sources[i] -> targets[i]`` (vertex ids into ``names``) with
    the edge attributes ``edge_attrs`` (``(name, array in tie order)`` pairs, taken one at a
    time: a generator makes each only when it is handed over); what :func:`build_graph` and
    :func:`~nichegraph.graph.edges.read_edges` build.

    Edges go in 65k tuples at a time and each attribute becomes a Python list only while it
    is handed over: a 7M-tie graph never holds a list of every tie (about 0.8 GiB) nor every
    attribute as lists at once (at 10M rows, peak 4.0 -> 3.5 GiB).

    >>> tie_graph(["a", "b"], np.array([0]), np.array([1]), np.array([1, 0]), np.array([0, 1]),
    ...           [("weight", np.array([2.0]))]).es["weight"]
    [2.0]
    """
    g = ig.Graph(n=len(names), directed=True)
    g.add_edges(edge_pairs(sources, targets))
    g.vs["name"] = names
    g.vs["given"] = np.asarray(given).astype(np.int64).tolist()
    g.vs["received"] = np.asarray(received).astype(np.int64).tolist()
    for key, values in edge_attrs:
        g.es[key] = np.asarray(values).tolist()
    remember_edges(g, sources, targets)
    return g
