"""Segment profiles: what each segment's people say, to whom, where and when, and a label.

A segment's interactions are those whose *source* is a member (what the segment's people do
and say). From them, one vectorised pass each (no Python loop over interactions):

- ``distinctive_terms``: words and hashtags ranked by the z-score of their log-odds ratio
  between the segment and the rest of the audience, with an informative Dirichlet prior from
  the whole corpus (Monroe, Colaresi & Quinn 2008; :func:`nichegraph.segments.text.log_odds_z`).
  A term must occur at least ``min_count`` times in the segment and be over-represented
  (z > 0); stop words are removed (:data:`nichegraph.segments.text.STOP_WORDS`).
- ``top_hashtags``, ``top_domains``: most frequent, with counts.
- ``top_mentions_outside``: accounts outside the segment its members engage with (target of
  the interaction) or @-mention in the text, counted once per interaction.
- ``platform_mix``, ``kind_mix``: share of the segment's interactions per platform and kind.
- ``first_seen``, ``last_seen``, ``per_week`` (dated interactions per 7 days of the time the
  log covers, first to last timestamp, at least one day),
  ``peak_week`` (ISO week), ``busiest_weekday`` (UTC) and ``weekly_activity`` (count per ISO
  week over the whole log's span).
- ``label``: the top 3 distinctive terms; without text (or no term passing ``min_count``),
  ``around HUB`` where HUB is the member who receives most engagement from the segment, plus
  the platform if one carries at least half the interactions. Labels are made unique by
  appending the path; the fringe is labelled ``fringe``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..graph.arrays import BuiltRows
from ..graph.build import in_window
from ..graph.codes import positions
from .result import FRINGE, Segmentation
from .text import TOKEN_KINDS, log_odds_z, tokenize

__all__ = ["PROFILE_COLUMNS", "profile_segments"]

#: Columns of :func:`profile_segments`.
PROFILE_COLUMNS = [
    "segment",
    "path",
    "label",
    "size",
    "interactions",
    "distinctive_terms",
    "top_hashtags",
    "top_mentions_outside",
    "top_domains",
    "platform_mix",
    "kind_mix",
    "first_seen",
    "last_seen",
    "per_week",
    "peak_week",
    "busiest_weekday",
    "weekly_activity",
]
_WEEKDAYS = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], dtype=object)
_LABEL_TERMS = 3
_TEXT_COLUMNS = ("distinctive_terms", "top_hashtags", "top_domains")
_DENSE_PAIRS = 1 << 23


def _pair_counts(a: np.ndarray, b: np.ndarray, nb: int):
    """Distinct (a, b) pairs with their counts, sorted by a then b (``0 <= b < nb``)."""
    nb = max(nb, 1)
    space = (int(a.max()) + 1) * nb if len(a) else 0
    kt = np.int32 if space < 2**31 else np.int64  # int32 sorts twice as fast
    key = a.astype(kt, copy=False) * kt(nb) + b.astype(kt, copy=False)
    if space <= _DENSE_PAIRS:  # small key space: count densely, no sort
        full = np.bincount(key, minlength=space)
        uniq = np.flatnonzero(full)
        counts = full[uniq]
    else:
        uniq, counts = np.unique(key, return_counts=True)
    uniq = uniq.astype(np.int64)
    return uniq // nb, uniq % nb, counts


def _top_join(
    seg, names, score, text, top: int, k: int, *, rank=None, wrap=(" (", ")")
) -> np.ndarray:
    """Per segment id (0..k-1), ``"name (text); ..."`` of its ``top`` rows by score (desc),
    ties by ``rank`` (default: the name); ``wrap`` goes around the text. ``names`` and
    ``text`` may be functions of the kept row numbers (only those made: millions of rows)."""
    out = np.full(k, "", dtype=object)
    if not len(seg):
        return out
    score = np.asarray(score, dtype=float)
    # Keep each segment's rows scoring at least its top-th best (ties kept), then sort those.
    by = np.lexsort((-score, seg))
    s_by = seg[by]
    pos = np.arange(len(by)) - np.searchsorted(s_by, s_by, side="left")
    floor = np.full(k, -np.inf)
    at = pos == top - 1
    floor[s_by[at]] = score[by][at]
    pick = by[score[by] >= floor[s_by]]
    seg, score = seg[pick], score[pick]
    picked = _rows_of(names, pick) if rank is None else None  # ranked by name
    rank = _name_rank(picked) if rank is None else np.asarray(rank)[pick]
    order = _by_rank(seg, score, rank)
    seg = seg[order]
    head = np.arange(len(seg)) - np.searchsorted(seg, seg, side="left") < top
    order, seg = order[head], seg[head]
    shown = _rows_of(names, pick[order]) if picked is None else picked[order]
    text = _rows_of(text, pick[order])  # made for the listed rows only
    cells = pa.array(shown + wrap[0] + text + wrap[1], type=pa.large_string())
    present, counts = np.unique(seg, return_counts=True)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
    sep = pa.scalar("; ", type=pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, cells), sep)
    out[present] = joined.to_numpy(zero_copy_only=False)
    return out


def _by_rank(seg: np.ndarray, score: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """``np.lexsort((rank, -score, seg))`` of rows already sorted by segment, then score
    (descending): one stable sort of an integer key (run of equal (segment, score), rank),
    3x faster than three keys (1.7M pairs at 10M rows); lexsort if the rank is not integer.

    >>> _by_rank(np.array([0, 0, 0, 1]), np.array([2.0, 1.0, 1.0, 5.0]), np.array([9, 4, 3, 0]))
    array([0, 2, 1, 3])
    """
    if len(rank) < 2 or rank.dtype.kind not in "iu":
        return np.lexsort((rank, -score, seg))
    lo, hi = int(rank.min()), int(rank.max())
    if len(rank) * (hi - lo + 1) >= 2**62:
        return np.lexsort((rank, -score, seg))
    run = np.cumsum((np.diff(seg, prepend=seg[0]) != 0) | (np.diff(score, prepend=score[0]) != 0))
    key = run * (hi - lo + 1) + (rank.astype(np.int64) - lo)  # rank - lo: no uint64 wrap
    return np.argsort(key, kind="stable")


def _rows_of(values, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` as objects; ``values`` may be a function of the row numbers."""
    return values(rows) if callable(values) else np.asarray(values, dtype=object)[rows]


def _as_text(counts: np.ndarray):
    """The function of row numbers giving those rows' ``counts`` as text."""
    return lambda i: counts[i].astype(str).astype(object)


def _name_rank(names: np.ndarray) -> np.ndarray:
    """Dense rank of names in ``str`` order, by Arrow (UTF-8 byte order is code point order;
    pandas' object sort took 6 s of the profiles at 10M rows); pandas when Arrow can't."""
    try:
        arr = pa.array(names, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid, UnicodeEncodeError):  # not all text
        arr = None
    if arr is None or arr.null_count:
        return pd.Series(names, dtype=object).rank(method="dense").to_numpy()
    return pc.rank(arr, sort_keys="ascending", tiebreaker="dense").to_numpy()


def _mix(seg: np.ndarray, values: pd.Series, k: int, top: int) -> np.ndarray:
    """Per segment, ``"value 54%; other 30%"`` over its rows (missing values skipped)."""
    codes, uniques = pd.factorize(values, sort=True)
    ok = (codes >= 0) & (seg >= 0)
    s, c, n = _pair_counts(*((seg, codes) if ok.all() else (seg[ok], codes[ok])), len(uniques))
    total = np.bincount(s, weights=n, minlength=k)
    share = 100 * n / total[s]
    pct = np.array([f"{v:.0f}%" if v >= 0.5 else "<1%" for v in share], dtype=object)
    names = np.asarray(uniques, dtype=object)[c].astype(str).astype(object)
    return _top_join(s, names, n, pct, top, k, rank=c, wrap=(" ", ""))


def _activity(seg: np.ndarray, stamps: pd.Series, k: int) -> dict[str, np.ndarray]:
    """first/last seen, per-week rate, peak ISO week, busiest weekday, weekly counts.

    Everything comes from the count of each (segment, day) pair: the rows are divided once
    (into days), then only the pairs (a few per segment and day) into weeks and weekdays."""
    out = {
        "first_seen": np.full(k, "", dtype=object),
        "last_seen": np.full(k, "", dtype=object),
        "per_week": np.full(k, np.nan),
        "peak_week": np.full(k, "", dtype=object),
        "busiest_weekday": np.full(k, "", dtype=object),
        "weekly_activity": np.full(k, "", dtype=object),
    }
    ts = pd.to_datetime(stamps, utc=True)
    ok = ts.notna().to_numpy(dtype=bool)
    if not ok.any():
        return out
    secs = ts.to_numpy(dtype="datetime64[s]").astype(np.int64)  # UTC
    every = bool(ok.all())
    lo, hi = (secs.min(), secs.max()) if every else (secs[ok].min(), secs[ok].max())
    d0 = int(lo) // 86_400
    w0, w1 = (d0 + 3) // 7, (int(hi) // 86_400 + 3) // 7  # weeks since Monday 1969-12-29
    n_weeks = w1 - w0 + 1
    mondays = pd.DatetimeIndex((np.arange(w0, w1 + 1) * 7 - 3).astype("datetime64[D]"))
    iso = mondays.isocalendar()
    week_label = np.array(
        [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)], dtype=object
    )
    m = seg >= 0 if every else ok & (seg >= 0)
    if m.all():
        s, day = seg, np.floor_divide(secs, 86_400) - d0
    else:
        s, day = seg[m], np.floor_divide(secs[m], 86_400) - d0
    ps, day, pn = _pair_counts(s, day, int(hi) // 86_400 - d0 + 1)  # by segment, then day
    day += d0
    counts = np.bincount(ps * n_weeks + (day + 3) // 7 - w0, weights=pn, minlength=k * n_weeks)
    counts = counts.astype(np.int64).reshape(k, n_weeks)
    wd = np.bincount(ps * 7 + (day + 3) % 7, weights=pn, minlength=k * 7).reshape(k, 7)
    first, last = np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.int64)
    head = np.diff(ps, prepend=-1) != 0  # a segment's first pair (its first day)
    tail = np.append(head[1:], True)[: len(ps)]  # and its last
    first[ps[head]], last[ps[tail]] = day[head], day[tail]
    has = counts.sum(axis=1) > 0
    for name, v in (("first_seen", first), ("last_seen", last)):
        out[name][has] = pd.DatetimeIndex(v[has].astype("datetime64[D]")).strftime("%Y-%m-%d")
    span = max(int(hi - lo), 86_400)  # the covered span, >= 1 day
    out["per_week"] = np.where(has, counts.sum(axis=1) / (span / 604_800), np.nan)
    out["peak_week"][has] = week_label[counts.argmax(axis=1)][has]
    out["busiest_weekday"][has] = _WEEKDAYS[wd.argmax(axis=1)][has]
    cells = week_label[None, :] + " " + counts.astype(str).astype(object)
    for i in np.flatnonzero(has):  # a loop over segments
        out["weekly_activity"][i] = "; ".join(cells[i])
    return out


def _text_columns(table, seg, k, top, min_count, stop_words, prior):
    """Distinctive terms, hashtags and domains per segment; the label terms; the mentions
    (row, name) found in the text."""
    cols = {name: np.full(k, "", dtype=object) for name in _TEXT_COLUMNS}
    top_terms = np.full(k, "", dtype=object)
    mentions = (np.array([], dtype=np.int64), np.array([], dtype=object))
    if "text" not in table.columns:
        return cols, top_terms, mentions
    tok = tokenize(table["text"], stop_words=stop_words)
    vocab, kind = tok.vocab, tok.kind[tok.token]
    tseg = seg[tok.row]
    is_term = kind <= TOKEN_KINDS.index("hashtag")
    y_all = np.bincount(tok.token[is_term], minlength=len(vocab))
    m = is_term & (tseg >= 0)
    s, c, y = _pair_counts(tseg[m], tok.token[m], len(vocab))
    n_in = np.bincount(s, weights=y, minlength=k)
    z = log_odds_z(y, n_in[s], y_all[c], float(y_all.sum()), prior=prior)
    keep = (y >= min_count) & (z > 0)
    s, c, z = s[keep], c[keep], z[keep]
    zs = lambda i: np.array([f"{v:.1f}" for v in z[i]], dtype=object)  # noqa: E731
    cols["distinctive_terms"] = _top_join(s, vocab[c], z, zs, top, k, rank=c)
    blank = np.full(len(z), "", dtype=object)
    top_terms = _top_join(s, vocab[c], z, blank, _LABEL_TERMS, k, rank=c, wrap=("", ""))
    for kname, name in (("hashtag", "top_hashtags"), ("domain", "top_domains")):
        m = (kind == TOKEN_KINDS.index(kname)) & (tseg >= 0)
        s, c, y = _pair_counts(tseg[m], tok.token[m], len(vocab))
        cols[name] = _top_join(s, vocab[c], y, _as_text(y), top, k, rank=c)
    m = kind == TOKEN_KINDS.index("mention")
    return cols, top_terms, (tok.row[m], vocab[tok.token[m]])


def _outside(table, seg, tgt_vid, index, member, mentions, k, top) -> np.ndarray:
    """Accounts outside each segment that its members target or @-mention, once per row.

    Accounts are vertex ids, then targets that are not vertices, then other mentioned names.
    """
    ment_row, ment_names = mentions
    acct, known = tgt_vid, index.to_numpy()  # the vertices, then the targets that are not
    lost = acct < 0
    if lost.any():  # numbered after the vertices in order of appearance; none: -1
        codes, extra = pd.factorize(table["target"][lost].to_numpy(dtype=object))
        known = np.concatenate([known, np.asarray(extra, dtype=object)])
        acct = acct.copy()
        acct[lost] = np.where(codes >= 0, len(index) + codes, -1)
    m_codes, m_names = pd.factorize(ment_names)
    m_acct = (  # get_indexer hashes all of ``known``: only for names
        pd.Index(known, dtype=object).get_indexer(pd.Index(m_names, dtype=object))
        if len(m_names)
        else np.zeros(0, int)
    )
    m_acct = np.where(m_acct >= 0, m_acct, len(known) + np.arange(len(m_names)))[m_codes]
    other = m_acct != acct[ment_row]  # a mention of the row's own target counts once
    mr, ma, _ = _pair_counts(ment_row[other], m_acct[other], len(known) + len(m_names))
    names = np.concatenate([np.asarray(known, dtype=object), np.asarray(m_names, dtype=object)])
    # each account's segment (-1: not a vertex): one lookup per row, no clipping
    acct_seg = np.concatenate([member, np.full(len(names) - len(index), -1, dtype=np.int64)])
    row_seg = np.concatenate([seg, seg[mr]])  # the rows, then their mentions
    accts = np.concatenate([acct, ma])
    out = (row_seg >= 0) & (accts >= 0) & (acct_seg[accts] != row_seg)  # no target: none
    s, c, y = _pair_counts(row_seg[out], accts[out], len(names))
    rank = _name_rank(names)[c]  # ranked once per name, not once per (segment, name) pair
    return _top_join(s, lambda i: names[c[i]], y, _as_text(y), top, k, rank=rank)


def _labels(seg_table, seg, tgt_vid, index, member, top_terms, platform_mix) -> np.ndarray:
    """Label per row of ``seg_table``: the top terms, else ``around HUB`` (the member the
    segment engages with most) and a platform carrying >= 50%; unique; ``fringe``."""
    ids = seg_table["segment"].to_numpy(dtype=np.int64)
    k = len(top_terms)
    tgt_seg = np.append(member, -1)[tgt_vid]  # -1: not a vertex
    inside = (seg >= 0) & (tgt_seg == seg)
    hub_n = np.bincount(tgt_vid[inside], minlength=len(member))  # engagement received inside
    hub_v = np.flatnonzero(hub_n)
    hub_n = hub_n[hub_v]
    no_text = np.full(len(hub_v), "", dtype=object)
    hub = _top_join(member[hub_v], index.to_numpy()[hub_v], hub_n, no_text, 1, k, wrap=("", ""))
    labels = [t.replace("; ", ", ") for t in top_terms]
    for i in ids:  # a loop over segments, not interactions
        if labels[i]:
            continue
        plat, _, pct = platform_mix[i].split("; ")[0].rpartition(" ")
        where = f" · {plat}" if plat and float(pct.strip("<%")) >= 50 else ""
        labels[i] = f"around {hub[i]}{where}" if hub[i] else f"segment {i}"
    label = pd.Series(np.asarray(labels, dtype=object)[ids])
    paths = seg_table["path"].astype(str).reset_index(drop=True)
    dup = label.duplicated(keep=False) & (ids != FRINGE)
    label = label.where(~dup, label + " (" + paths + ")").where(ids != FRINGE, "fringe")
    return label.to_numpy(dtype=object)


def _check(table: Any, top: Any, min_count: Any, prior: Any) -> pd.DataFrame:
    if hasattr(table, "table") and hasattr(table, "report"):
        table = table.table
    if not isinstance(table, pd.DataFrame):
        raise InputError(
            f"interactions must be a DataFrame or Interactions, got {type(table).__name__}"
        )
    missing = [c for c in ("source", "target") if c not in table.columns]
    if missing:
        raise InputError(
            f"interactions have no {', '.join(missing)} column; columns found: "
            f"{', '.join(map(str, table.columns))}"
        )
    for name, v in (("top", top), ("min_count", min_count)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise InputError(f"{name} must be a positive integer, got {v!r}")
    if isinstance(prior, bool) or not isinstance(prior, int | float) or not prior > 0:
        raise InputError(f"prior must be a positive number, got {prior!r}")
    return table


def profile_segments(
    interactions: Any,
    segmentation: Segmentation,
    *,
    top: int = 10,
    min_count: int = 5,
    stop_words: Iterable[str] | None = None,
    prior: float = 1.0,
    since: Any = None,
    until: Any = None,
    built: BuiltRows | None = None,
) -> pd.DataFrame:
    """One row per segment (fringe last) describing it from its members' interactions.

    ``interactions`` is the canonical table (or :class:`~nichegraph.Interactions`) the graph was
    built from; ``text``, ``platform`` and ``timestamp`` are used when present. ``top`` items
    are listed per cell; ``min_count`` is the fewest uses a distinctive term needs in the
    segment; ``stop_words`` replaces the built-in list; ``prior`` scales the Dirichlet prior;
    ``since``/``until`` keep rows in ``[since, until)`` as :func:`~nichegraph.build_graph` does.
    ``built`` (``graph.rows`` of the graph the segments were found on) gives the vertex ids of
    the rows it was built from, so only the other rows' handles are looked up.
    Columns: :data:`PROFILE_COLUMNS` (see the module docstring).

    >>> import nichegraph as ng
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> prof = profile_segments(res.interactions, res.segmentation, top=5)
    >>> prof["label"].is_unique and bool((prof["label"] != "").all())
    True
    """
    table = _check(interactions, top, min_count, prior)
    index = pd.Index(list(segmentation.names), dtype=object)
    src_vid, tgt_vid = _vertex_ids(table, index, built)
    if since is not None or until is not None:
        inside = in_window(table, since, until)
        table = table[inside].reset_index(drop=True)
        src_vid, tgt_vid = src_vid[inside], tgt_vid[inside]
    seg_table = segmentation.segments
    ids = seg_table["segment"].to_numpy(dtype=np.int64)
    k = int(ids.max(initial=0)) + 1
    member = np.asarray(segmentation.membership, dtype=np.int64)
    seg = np.append(member, -1)[src_vid]  # each row's segment; -1: no vertex
    n_rows = np.bincount(seg[seg >= 0], minlength=k)

    cols, top_terms, mentions = _text_columns(table, seg, k, top, min_count, stop_words, prior)
    cols["top_mentions_outside"] = _outside(table, seg, tgt_vid, index, member, mentions, k, top)
    for col, name in (("platform", "platform_mix"), ("kind", "kind_mix")):
        cols[name] = (
            _mix(seg, table[col], k, top) if col in table.columns else np.full(k, "", dtype=object)
        )
    stamps = (
        table["timestamp"] if "timestamp" in table.columns else pd.Series(pd.NaT, index=table.index)
    )
    cols.update(_activity(seg, stamps, k))
    label = _labels(seg_table, seg, tgt_vid, index, member, top_terms, cols["platform_mix"])
    frame = pd.DataFrame(
        {
            "segment": ids,
            "path": seg_table["path"].astype(str).to_numpy(dtype=object),
            "label": label,
            "size": seg_table["size"].to_numpy(dtype=np.int64),
            "interactions": n_rows[ids],
        }
    )
    for name in PROFILE_COLUMNS[5:]:
        frame[name] = cols[name][ids]
    return frame


def _vertex_ids(
    table: pd.DataFrame, index: pd.Index, built: BuiltRows | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's source and target vertex ids (``-1``: not a vertex): from ``built`` for the
    rows the graph was built from (10M rows: 2.8 s of lookups less), the rest looked up."""
    idx = None if built is None else built.rows_of(table, index.to_numpy())
    if idx is None:
        return positions(table["source"], index), positions(table["target"], index)
    out = []
    rest = np.flatnonzero(~built.used)
    for col, ids in (("source", built.src), ("target", built.dst)):
        vid = np.full(len(table), -1, dtype=np.int64)
        vid[idx] = ids
        if len(rest):
            vid[rest] = positions(table[col].iloc[rest], index)
        out.append(vid)
    return out[0], out[1]
