"""Likely bots from the log alone: five rules, flagged when at least two hold.

Each rule looks only at what a person *sent* (:data:`BOT_RULES` holds the thresholds):

* ``rate``: more than 100 actions per active day (over the days they acted, at least 20 rows);
* ``reposts``: at least 90% of at least 10 actions are retweets;
* ``spray``: replies or mentions to at least 15 distinct people, at least 90% of them
  unrelated: they never engaged the person back and (when the segments are known) sit in
  another segment (talking at strangers, not with a community);
* ``duplicates``: at least half of at least 5 texts repeat another of their texts once
  mentions, links, numbers and case are removed;
* ``clockwork``: at least 10 actions whose gaps vary by less than 10% (coefficient of
  variation of the time between actions).

Rules that need a column the log lacks (``text``, ``timestamp``) cannot hold. Texts are only
compared for people another rule already flags (a rule on its own flags nobody), which keeps
the text work to a handful of people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .measures import CONVERSATION_KINDS, LogRows, _arrow, distinct, in_sorted

__all__ = ["BOT_MIN_RULES", "BOT_RULES", "bot_rules"]

#: rule -> thresholds (see the module docstring).
BOT_RULES: dict[str, dict[str, float]] = {
    "rate": {"per_day": 100, "min_actions": 20},
    "reposts": {"share": 0.9, "min_actions": 10},
    "spray": {"min_targets": 15, "unrelated": 0.9},
    "duplicates": {"share": 0.5, "min_texts": 5},
    "clockwork": {"max_cv": 0.1, "min_actions": 10},
}
#: A person is a likely bot when at least this many rules hold.
BOT_MIN_RULES = 2
_DAY = 86_400


def _normalise_text(text: pd.Series, rows: np.ndarray) -> pd.Series:
    """Lower case without mentions, links, numbers, a leading ``rt`` and punctuation (RE2 in
    Arrow, not a Python loop), for the ``rows`` of ``text``."""
    arr = pc.utf8_lower(pc.fill_null(_arrow(text).take(pa.array(rows)), ""))
    arr = pc.replace_substring_regex(arr, r"(@\w+|https?://\S+|\d+|^rt\s+)", " ")
    arr = pc.replace_substring_regex(arr, r"[^\w#]+", " ")
    return pd.Series(pc.utf8_trim_whitespace(arr).to_numpy(zero_copy_only=False), dtype=object)


def _timing(src: np.ndarray, seconds: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Per person, over their timestamped actions: distinct UTC days with one, how many, and
    the coefficient of variation of the gaps between consecutive ones (inf if undefined).
    One sort by (person, time) serves both rules."""
    timed = np.isfinite(seconds)
    if not timed.any():
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.full(n, np.inf)
    who, sec = (src, seconds) if timed.all() else (src[timed], seconds[timed])
    counts = np.bincount(who, minlength=n)
    rel = np.round(sec - sec.min()).astype(np.int64)  # whole seconds: one int sort key
    m = len(who)
    rel_bits, row_bits = int(rel.max()).bit_length(), (m - 1).bit_length()
    if int(who.max()).bit_length() + rel_bits + row_bits < 63:  # one plain sort, shifts only
        packed = np.sort((((who << rel_bits) | rel) << row_bits) | np.arange(m))
        order, who = packed & ((1 << row_bits) - 1), packed >> (rel_bits + row_bits)
    else:
        order = np.argsort(who * (int(rel.max()) + 1) + rel, kind="stable")
        who = who[order]
    sec = sec[order]
    same = who[1:] == who[:-1]
    day = np.floor(sec / _DAY).astype(np.int64)
    change = day[1:] != day[:-1]
    if not (same & (day[1:] < day[:-1])).any():  # each person's days in order: count changes
        days = np.bincount(who[np.r_[True, ~same | change]], minlength=n)
    else:  # sub-second times rounded out of order around midnight
        low, width = int(day.min()), int(day.max() - day.min()) + 1
        days = np.bincount(distinct(who * width + (day - low)) // width, minlength=n)
    gap = np.diff(sec) * same  # 0 between two people: adds nothing to the sums below
    k = np.maximum(counts - 1, 0).astype(float)  # gaps per person
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(who[1:], weights=gap, minlength=n) / k
        var = np.bincount(who[1:], weights=gap * gap, minlength=n) / k - mean**2
        cv = np.where((k > 0) & (mean > 0), np.sqrt(np.maximum(var, 0)) / mean, np.inf)
    return days, counts, cv


def bot_rules(
    rows: LogRows, graph_keys: np.ndarray | None = None, membership: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per vertex: a bool column per rule, its value, ``bot_rules`` (count).

    ``graph_keys`` (``src * n + dst`` of every tie, sorted) tells who engaged whom; computed
    from ``rows`` when omitted. ``membership`` (segment per vertex) makes ``spray`` count only
    people of other segments as unrelated.

    >>> n = 3; t = np.arange(12) * 60.0  # person 0 retweets 2 every minute, same text
    >>> r = LogRows.make(n, [0] * 12, [2] * 12, ["retweet"] * 12, t, text=["RT @b: buy 1"] * 12)
    >>> f = bot_rules(r)
    >>> f.loc[0, ["reposts", "duplicates", "clockwork", "bot_rules"]].astype(int).tolist()
    [1, 1, 1, 3]
    """
    n = rows.n
    src = rows.src
    actions = np.bincount(src, minlength=n).astype(float)
    out: dict[str, np.ndarray] = {}  # one frame at the end: no per-column inserts
    T = BOT_RULES

    # rate: actions per active day
    days, timed_actions, cv = _timing(src, rows.seconds, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_day = np.where(days > 0, timed_actions / np.maximum(days, 1), 0.0)
    out["rate_value"] = per_day
    out["rate"] = (per_day > T["rate"]["per_day"]) & (actions >= T["rate"]["min_actions"])

    # reposts
    rt = np.bincount(src[rows.is_kind("retweet")], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(actions > 0, rt / np.maximum(actions, 1), 0.0)
    out["reposts_value"] = share
    out["reposts"] = (share >= T["reposts"]["share"]) & (actions >= T["reposts"]["min_actions"])

    # spray: distinct people talked at; share of them unrelated (never engaged back, and in
    # another segment when the membership is known)
    talk = rows.is_kind(*CONVERSATION_KINDS)
    size = max(n, 1)
    reverse = distinct(rows.dst[talk] * size + src[talk])  # (them, me): did they engage back?
    if graph_keys is None:
        graph_keys = distinct(src * size + rows.dst)
    unrelated = ~in_sorted(graph_keys, reverse)
    ps, pt = reverse % size, reverse // size
    if membership is not None:
        unrelated &= membership[ps] != membership[pt]
    targets = np.bincount(ps, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(targets > 0, np.bincount(ps[unrelated], minlength=n) / targets, 0.0)
    out["spray_value"] = targets.astype(float)
    out["spray"] = (targets >= T["spray"]["min_targets"]) & (share >= T["spray"]["unrelated"])

    # clockwork: coefficient of variation of the gaps between one's actions
    out["clockwork_value"] = np.where(np.isfinite(cv), cv, np.nan)
    out["clockwork"] = (cv < T["clockwork"]["max_cv"]) & (
        timed_actions >= T["clockwork"]["min_actions"]
    )
    # duplicates: only for people another rule flags
    dup = np.zeros(n)
    texts = np.zeros(n)
    others = sum(out[r].astype(np.int64) for r in BOT_RULES if r in out)
    suspects = np.flatnonzero(others >= BOT_MIN_RULES - 1)
    if rows.text is not None and len(suspects):
        mine = np.flatnonzero(np.isin(src, suspects))
        norm = _normalise_text(rows.text, mine)
        has = (norm != "").to_numpy()
        frame = pd.DataFrame({"who": src[mine][has], "t": norm[has].to_numpy()})
        texts = np.bincount(frame["who"], minlength=n).astype(float)
        repeated = frame.duplicated(["who", "t"], keep=False).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            dup = np.where(
                texts > 0,
                np.bincount(frame["who"][repeated], minlength=n) / np.maximum(texts, 1),
                0,
            )
    out["duplicates_value"] = dup
    out["duplicates"] = (dup >= T["duplicates"]["share"]) & (texts >= T["duplicates"]["min_texts"])
    out["bot_rules"] = sum(out[r].astype(np.int64) for r in BOT_RULES).astype(int)
    return pd.DataFrame(out, index=pd.RangeIndex(n))
