"""Per-person campaign measures, vectorised over the edge and row arrays.

Two inputs: the aggregated graph's edges (``a -> b``: a engaged with b; one edge per pair) and
the log's rows as vertex ids (:class:`LogRows`). Every measure is an array aligned with vertex
ids. Measures that need timestamps (``responsiveness``, ``reply_latency_h``,
``brand_affinity``) are NaN-free but reported as unavailable when the log has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..graph.arrays import best_in_groups, stable_order

__all__ = [
    "AMPLIFY_KINDS",
    "CONVERSATION_KINDS",
    "LogRows",
    "affinity_days",
    "campaign_measures",
    "distinct",
    "edge_array",
    "in_sorted",
    "log_rows",
    "main_platform",
    "positions",
    "responsiveness",
    "stable_order",
]

#: Kinds that pass someone's content on (amplification received).
AMPLIFY_KINDS = ("retweet", "quote")
#: Kinds that talk to someone (conversation received; a comment is a reply on other platforms).
CONVERSATION_KINDS = ("reply", "comment", "mention")
_DAY = 86_400


@dataclass(frozen=True, eq=False)
class LogRows:
    """The log's interaction rows as arrays: vertex ids, kind and platform as codes into
    ``kinds`` / ``platforms`` (platform -1 = none), seconds since 1970 (NaN = none), text (a
    Series, converted only where needed; None without a text column). Self-loops and rows
    outside the graph are left out. Build one with :func:`log_rows` or :meth:`make`."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    kinds: tuple[str, ...]
    seconds: np.ndarray
    platform: np.ndarray
    platforms: tuple[str, ...]
    text: pd.Series | None

    @classmethod
    def make(cls, n: int, src: Any, dst: Any, kind: Any, seconds: Any = None,
             platform: Any = None, text: Any = None) -> LogRows:  # fmt: skip
        """Rows from plain lists (kinds and platforms as names).

        >>> r = LogRows.make(3, [0, 1], [1, 2], ["reply", "like"])
        >>> r.is_kind("reply", "mention").tolist(), r.has_time
        ([True, False], False)
        """
        src = np.asarray(src, dtype=np.int64)
        kcode, kinds = pd.factorize(pd.Series(kind, dtype=object), sort=True)
        secs = np.full(len(src), np.nan) if seconds is None else np.asarray(seconds, dtype=float)
        pcode, plats = (np.full(len(src), -1), []) if platform is None else pd.factorize(
            pd.Series(platform, dtype=object).replace("", None), sort=True
        )  # fmt: skip
        return cls(n, src, np.asarray(dst, dtype=np.int64), kcode, tuple(map(str, kinds)), secs,
                   np.asarray(pcode), tuple(map(str, plats)),
                   None if text is None else pd.Series(text, dtype=object))  # fmt: skip

    @property
    def has_time(self) -> bool:
        return bool(np.isfinite(self.seconds).any())

    def is_kind(self, *names: str) -> np.ndarray:
        """Rows of any of the kinds ``names``."""
        table = np.array([k in names for k in self.kinds] + [False])  # code -1 (none): last
        return table[self.kind]


def _utc_seconds(value: Any) -> float:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return (ts - pd.Timestamp(0, tz="UTC")).total_seconds()


def _arrow(values: pd.Series) -> pa.Array:
    """A string column as one Arrow string array (pandas' Arrow-backed strings may come in
    several chunks, e.g. from ``pd.read_csv``)."""
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    return arr


def _positions(values: pd.Series, names: pa.Array) -> np.ndarray:
    """Position of each value in ``names`` (-1 if absent), by Arrow's hash lookup: a hash of
    the names, or for a few values (a brand's handles) of the distinct values, the names
    scanned against it. ``names`` are distinct."""
    arr = _arrow(values)
    names = names.cast(arr.type)
    if len(arr) * 8 >= len(names):
        found = pc.index_in(arr, value_set=names)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    uniq = pc.unique(arr)
    which = pc.index_in(names, value_set=uniq).fill_null(-1).to_numpy(zero_copy_only=False)
    at = np.full(len(uniq), -1, dtype=np.int64)
    hit = np.flatnonzero(which >= 0)
    at[which[hit]] = hit
    return at[pc.index_in(arr, value_set=uniq).to_numpy(zero_copy_only=False).astype(np.int64)]


def positions(values: pd.Series, names: np.ndarray | pa.Array) -> np.ndarray:
    """Position of each value in ``names`` (-1 if absent): Arrow's hash lookup, much faster
    than a pandas index built over 300k names.

    >>> positions(pd.Series(["b", "zed"]), np.array(["a", "b"], dtype=object)).tolist()
    [1, -1]
    """
    if not isinstance(names, pa.Array):
        names = pa.array(np.asarray(names, dtype=object), type=pa.string())
    return _positions(values, names)


def _codes(values: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes into the sorted distinct non-empty values (-1 for missing or empty)."""
    enc = pc.dictionary_encode(_arrow(values))
    words = enc.dictionary.to_pylist()
    order = sorted(range(len(words)), key=lambda i: words[i])
    remap = np.full(len(words) + 1, -1, dtype=np.int64)
    remap[order] = np.arange(len(words))
    idx = enc.indices.fill_null(len(words)).to_numpy(zero_copy_only=False).astype(np.int64)
    return _named_codes(remap[idx], tuple(words[i] for i in order))  # empty means none


def _seconds(ts: pd.Series) -> np.ndarray:
    """UTC seconds since 1970 of a datetime column (NaN for NaT), without per-row objects."""
    if not isinstance(ts.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(ts):
        ts = pd.to_datetime(ts, utc=True)
    arr = ts.array
    ticks = np.asarray(arr.asi8, dtype=np.int64)
    secs = ticks / float(10 ** {"s": 0, "ms": 3, "us": 6, "ns": 9}[ts.dt.unit])
    secs[np.asarray(arr.isna())] = np.nan
    return secs


def log_rows(
    table: pd.DataFrame,
    names: list[str] | np.ndarray,
    *,
    since: Any = None,
    until: Any = None,
    kind_weights: Mapping[str, float] | None = None,
    built: Any = None,
) -> LogRows:
    """Map a canonical interaction table onto the graph's vertex ids.

    The rows the graph was built from: posts, self-loops, rows outside ``since``/``until`` and,
    with ``kind_weights`` (the graph's ``report.kind_weights``: the kinds it kept, with their
    weights), rows of weight 0 are left out. ``built`` (the graph's ``rows``, see
    :class:`~nichegraph.graph.arrays.BuiltRows`) gives those rows' vertex ids directly, instead
    of looking up every handle again (the other options are then already applied).

    >>> t = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "a", "a"], "kind": "reply"})
    >>> r = log_rows(t, ["a", "b"])
    >>> r.src.tolist(), r.dst.tolist(), r.has_time
    ([0, 1], [1, 0], False)
    """
    names = np.asarray(names, dtype=object)
    ok = built is not None and "kind" in table
    idx = built.rows_of(table, names) if ok else None
    fast = idx is not None  # the build's own rows: filters already applied
    if fast:
        s, t = built.src.astype(np.int64), built.dst.astype(np.int64)
        kcode, kinds = _named_codes(built.kind, built.kinds)
        keep = np.ones(len(idx), dtype=bool)
    else:
        idx = np.arange(len(table))
        value_set = pa.array(names, type=pa.string())
        s = _positions(table["source"], value_set)
        t = _positions(table["target"], value_set)
        keep = (s >= 0) & (t >= 0) & (s != t)
        kind = table["kind"] if "kind" in table else pd.Series("interaction", index=table.index)
        kcode, kinds = _codes(kind)
    if "post" in kinds:
        keep &= kcode != kinds.index("post")
    if kind_weights is not None and not fast:  # the graph's: a kind it does not list kept no row
        per_kind = np.array([kind_weights.get(k, 0.0) for k in kinds] + [0.0])
        w = per_kind[kcode]
        if "weight" in table:
            w = w * table["weight"].to_numpy(dtype=float)
        keep &= ~(w <= 0)
    secs = np.full(len(idx), np.nan)
    if "timestamp" in table:
        secs = _seconds(table["timestamp"])[idx]
        if since is not None and not fast:
            keep &= secs >= _utc_seconds(since)
        if until is not None and not fast:
            keep &= secs < _utc_seconds(until)
    if not keep.all():
        idx, s, t, kcode, secs = idx[keep], s[keep], t[keep], kcode[keep], secs[keep]
    no_platform = (np.full(len(table), -1), ())
    pcode, plats = _codes(table["platform"]) if "platform" in table else no_platform
    text = table["text"].iloc[idx].reset_index(drop=True) if "text" in table else None
    return LogRows(
        len(names), s, t, kcode, kinds, secs, np.asarray(pcode)[idx],
        tuple(str(p) for p in plats), text,
    )  # fmt: skip


def _named_codes(codes: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes into sorted ``names`` with the empty name as none (-1), as :func:`_codes` gives."""
    if "" not in names:
        return codes, names
    gone = names.index("")
    return np.where(codes == gone, -1, codes - (codes > gone)), names[:gone] + names[gone + 1 :]


def in_sorted(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``np.isin(query, keys)`` for ``keys`` sorted ascending, by binary search.

    >>> in_sorted(np.array([2, 5, 9]), np.array([5, 6, 9, 10])).tolist()
    [True, False, True, False]
    """
    if not len(keys):
        return np.zeros(len(query), dtype=bool)
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return keys[pos] == query


def sorted_keys(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """``src * n + dst``, sorted (a graph's edges usually already are)."""
    keys = src * max(n, 1) + dst
    return keys if len(keys) < 2 or bool((keys[1:] >= keys[:-1]).all()) else np.sort(keys)


def distinct(keys: np.ndarray, *, counts: bool = False) -> Any:
    """Sorted distinct values of an integer array (and how often each occurs).

    A sort and a comparison: on a million int64 keys about 50x faster than numpy 2's
    hash-based ``np.unique`` on this machine.

    >>> distinct(np.array([5, 1, 5, 3])).tolist(), distinct(np.array([2, 2]), counts=True)[1]
    ([1, 3, 5], array([2]))
    """
    keys = np.sort(np.asarray(keys))
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    uniq = keys[first]
    if not counts:
        return uniq
    return uniq, np.diff(np.r_[np.flatnonzero(first), len(keys)])


def edge_array(graph: ig.Graph, rows: LogRows | None = None) -> np.ndarray:
    """The graph's edges as an (m, 2) int64 array of (source, target) vertex ids, sorted.

    With ``rows`` (those the graph was built from) they are the distinct (source, target)
    pairs of the rows, which is much faster than igraph's edge list; igraph's is used when
    the counts differ.
    """
    if rows is not None:
        n = max(rows.n, 1)
        keys = distinct(rows.src * n + rows.dst)
        if len(keys) == graph.ecount():
            return np.column_stack([keys // n, keys % n])
    if graph.ecount() == 0:
        return np.zeros((0, 2), dtype=np.int64)
    return np.asarray(graph.get_edgelist(), dtype=np.int64)


def main_platform(rows: LogRows) -> np.ndarray:
    """Each person's most frequent platform over rows they sent or received ('' if none;
    ties go to the alphabetically first).

    >>> main_platform(LogRows.make(3, [0, 0, 1], [1, 2, 0], ["reply"] * 3,
    ...                            platform=["x", "reddit", "reddit"])).tolist()
    ['reddit', 'reddit', 'reddit']
    """
    out = np.full(rows.n, "", dtype=object)
    ok = rows.platform >= 0
    if not ok.any():
        return out
    k = len(rows.platforms)
    plat = rows.platform[ok]
    if rows.n * k <= 4 * len(plat) + 1_000_000:  # a (person, platform) count table: no sort
        counts = np.bincount(rows.src[ok] * k + plat, minlength=rows.n * k)
        counts += np.bincount(rows.dst[ok] * k + plat, minlength=rows.n * k)
        table = counts.reshape(rows.n, k)
        best = table.argmax(axis=1)  # the first of the most: alphabetically first on ties
        has = table[np.arange(rows.n), best] > 0
        out[has] = np.asarray(rows.platforms, dtype=object)[best[has]]
        return out
    who = np.concatenate([rows.src[ok], rows.dst[ok]])
    key, counts = distinct(who * k + np.concatenate([plat, plat]), counts=True)
    person, code = key // k, key % k
    first = best_in_groups(person, counts, code)  # per person: most rows, then first name
    out[person[first]] = np.asarray(rows.platforms, dtype=object)[code[first]]
    return out


def responsiveness(rows: LogRows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share of conversation received (reply/comment/mention, timestamped) that the person
    answered (a reply, comment or mention back to the sender later), the median hours to that
    answer (NaN if none), and the answered flag per conversation row.

    >>> r = LogRows.make(2, [0, 1, 0], [1, 0, 1], ["reply"] * 3, [0.0, 7200.0, 9000.0])
    >>> share, hours, _ = responsiveness(r)
    >>> share.tolist(), hours.tolist()
    ([1.0, 0.5], [0.5, 2.0])
    """
    talk = rows.is_kind(*CONVERSATION_KINDS) & np.isfinite(rows.seconds)
    q = np.flatnonzero(talk)
    answered = np.zeros(len(q), dtype=bool)
    lat = np.zeros(len(q), dtype=np.int64)  # whole seconds to the answer
    if len(q):
        t = rows.seconds[q]
        t0 = float(t.min())
        span = int(np.ceil(t.max() - t0)) + 2
        rel = np.floor(t - t0).astype(np.int64)
        ask, ans = _pair_codes(rows.dst[q], rows.src[q], rows.n, span)  # answers go back
        ask_c, ans_c = ask * span + rel, ans * span + rel
        sorted_ans = np.sort(ans_c)
        by_ask = np.argsort(ask_c)  # sorted queries: a cache-friendly search
        pos = np.empty(len(ask_c), dtype=np.int64)
        pos[by_ask] = np.searchsorted(sorted_ans, ask_c[by_ask], side="right")
        ok = pos < len(sorted_ans)
        ok[ok] = sorted_ans[pos[ok]] // span == ask_c[ok] // span
        answered = ok
        lat[ok] = sorted_ans[pos[ok]] - ask_c[ok]
    recv = rows.dst[q]
    total = np.bincount(recv, minlength=rows.n).astype(float)
    done = np.bincount(recv[answered], minlength=rows.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, done / np.maximum(total, 1), 0.0)
    hours = np.full(rows.n, np.nan)
    if answered.any():
        who, med = _medians(recv[answered], lat[answered])
        hours[who] = med
    return share, hours, answered


def _pair_codes(a: np.ndarray, b: np.ndarray, n: int, span: int) -> tuple[np.ndarray, ...]:
    """Codes of the pairs ``(a, b)`` and of the reversed pairs ``(b, a)``, equal iff the pairs
    are, small enough that ``code * span`` fits in 63 bits: ``a * n + b`` when that fits, else
    dense ranks (a sort of both)."""
    if n * n * span < 2**62:
        return a * n + b, b * n + a
    both = np.concatenate([a * n + b, b * n + a])
    order = stable_order(both)
    ranked = both[order]
    codes = np.empty(len(both), dtype=np.int64)
    codes[order] = np.cumsum(np.r_[0, ranked[1:] != ranked[:-1]])
    return codes[: len(a)], codes[len(a) :]


def _medians(group: np.ndarray, seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The groups and the median of their ``seconds`` (non-negative ints) in hours, as pandas'
    ``groupby().median()`` of ``seconds / 3600`` gives it (one integer sort, no pandas)."""
    bits = int(seconds.max()).bit_length()
    if int(group.max()).bit_length() + bits < 63:
        packed = np.sort((group << bits) | seconds)
        g, v = packed >> bits, packed & ((1 << bits) - 1)
    else:
        order = np.lexsort((seconds, group))
        g, v = group[order], seconds[order]
    start = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    count = np.diff(np.r_[start, len(g)])
    hours = v / 3600.0
    low, high = hours[start + (count - 1) // 2], hours[start + count // 2]
    return g[start], (low + high) / 2  # odd counts: low == high, exactly


def affinity_days(rows: LogRows, brand: np.ndarray) -> np.ndarray:
    """Distinct UTC days on which each person engaged one of the ``brand`` vertices.

    >>> r = LogRows.make(3, [0, 0, 0, 1], [2, 2, 2, 2], ["reply"] * 4, [0, 3600, 90000, 10])
    >>> affinity_days(r, np.array([2])).tolist()
    [2, 1, 0]
    """
    hit = np.isin(rows.dst, brand) & np.isfinite(rows.seconds)
    if not hit.any():
        return np.zeros(rows.n, dtype=np.int64)
    day = np.floor(rows.seconds[hit] / _DAY).astype(np.int64)
    src = rows.src[hit]
    key = distinct(src * (int(day.max() - day.min()) + 1) + (day - day.min()))
    who = key // (int(day.max() - day.min()) + 1)
    return np.bincount(who, minlength=rows.n).astype(np.int64)


def campaign_measures(
    edges: np.ndarray,
    membership: np.ndarray,
    rows: LogRows,
    *,
    brand: np.ndarray,
    targets: np.ndarray,
    response: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per vertex (vertex-id order) with every campaign measure; ``edges`` is
    :func:`edge_array` of the graph (one row per tie ``a -> b``: a engaged b).

    ``reach`` distinct engagers, ``reach_in`` / ``reach_out`` of them inside / outside the
    person's segment, ``amplification`` retweets + quotes received, ``conversation`` replies,
    comments and mentions received, ``reciprocity`` share of engagers the person engaged back,
    ``responsiveness`` and ``reply_latency_h`` (see :func:`responsiveness`), ``brand_affinity``
    (:func:`affinity_days` on the ``brand`` vertices), ``target_reach`` distinct engagers in a
    ``targets`` segment, ``target_conversation`` conversation rows received from them,
    ``actions`` rows sent, ``platform`` (:func:`main_platform`). ``response`` is
    :func:`responsiveness` of ``rows`` if already computed.
    """
    memb = np.asarray(membership, dtype=np.int64)
    n = len(memb)
    s, t = edges[:, 0], edges[:, 1]
    reach = np.bincount(t, minlength=n)
    reach_in = np.bincount(t[memb[s] == memb[t]], minlength=n)
    both = np.sort(np.concatenate([s * max(n, 1) + t, t * max(n, 1) + s]))  # ties both ways
    back = both[1:][both[1:] == both[:-1]] // max(n, 1)  # a tie and its reverse: engaged back
    with np.errstate(divide="ignore", invalid="ignore"):
        recip = np.where(reach > 0, np.bincount(back, minlength=n) / np.maximum(reach, 1), 0.0)
    amp = rows.is_kind(*AMPLIFY_KINDS)
    talk = rows.is_kind(*CONVERSATION_KINDS)
    in_target = np.isin(memb, targets)
    share, hours, _ = responsiveness(rows) if response is None else response
    return pd.DataFrame(
        {
            "reach": reach,
            "reach_in": reach_in,
            "reach_out": reach - reach_in,
            "amplification": np.bincount(rows.dst[amp], minlength=n),
            "conversation": np.bincount(rows.dst[talk], minlength=n),
            "reciprocity": recip,
            "responsiveness": share,
            "reply_latency_h": hours,
            "brand_affinity": affinity_days(rows, brand),
            "target_reach": np.bincount(t[in_target[s]], minlength=n),
            "target_conversation": np.bincount(rows.dst[talk & in_target[rows.src]], minlength=n),
            "actions": np.bincount(rows.src, minlength=n),
            "platform": pd.Series(main_platform(rows), dtype=object),
        }
    )
