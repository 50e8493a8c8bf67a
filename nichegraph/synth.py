"""Seeded synthetic brand-conversation logs with planted micro-segments and influencers.

:func:`generate_log` returns a :class:`SyntheticLog`: a realistic interaction log in the
canonical columns (``source``, ``target``, ``kind``, ``timestamp``, ``platform``, ``text``) and
the truth it was planted from (each person's segment and influencer rank, each segment's
vocabulary). Use it to test, benchmark and demonstrate segmentation and influencer ranking.

>>> s = generate_log(n_segments=5, n_rows=2_000, max_size=60, seed=1)
>>> list(s.log.columns)
['source', 'target', 'kind', 'timestamp', 'platform', 'text']
>>> sorted(s.truth["segment"].unique().tolist())
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._random import check_seed, rng, spawn_seeds
from ._themes import THEMES
from .errors import InputError

__all__ = [
    "HIGGS_IN_SEGMENT",
    "KINDS",
    "PLATFORMS",
    "PLATFORM_KINDS",
    "SyntheticLog",
    "generate_log",
]

#: Interaction kinds the generator emits.
KINDS: tuple[str, ...] = ("reply", "comment", "quote", "retweet", "mention", "like")
#: Platforms with their overall share of the conversation.
PLATFORMS: tuple[str, ...] = ("x", "instagram", "reddit", "tiktok", "mastodon")
_PLATFORM_SHARE = np.array([0.38, 0.24, 0.18, 0.14, 0.06])
#: Each platform's own mix of kinds (mastodon boosts are ``retweet``).
_KIND_MIX: dict[str, dict[str, float]] = {
    "x": {"reply": 0.30, "quote": 0.08, "retweet": 0.22, "mention": 0.15, "like": 0.25},
    "instagram": {"comment": 0.50, "mention": 0.12, "like": 0.38},
    "reddit": {"comment": 0.65, "reply": 0.35},
    "tiktok": {"comment": 0.55, "mention": 0.10, "like": 0.35},
    "mastodon": {"reply": 0.40, "retweet": 0.30, "mention": 0.15, "like": 0.15},
}
#: Share of each kind's rows that stay inside a segment on the real Higgs Twitter log (SNAP,
#: 563k rows, self-interactions dropped), measured without circularity: the log split in two
#: halves at random (seeds 1 and 2, mean of both), segments found on one half with every kind
#: weighed 1, the other half's rows counted where both ends are in a segment (reply 0.713 /
#: 0.717, retweet 0.253 / 0.250, mention 0.483 / 0.482). Replies owe their lead to repeated
#: pairs: counting only pairs unseen in the first half, 13% of replies, 12% of retweets and 29%
#: of mentions stay. Kinds not in that log (comment, quote, like) are left neutral.
HIGGS_IN_SEGMENT: dict[str, float] = {"reply": 0.715, "retweet": 0.251, "mention": 0.482}
_HIGGS_IN_ALL = 0.376  # all three kinds together

#: Kinds each platform can emit.
PLATFORM_KINDS: dict[str, tuple[str, ...]] = {p: tuple(m) for p, m in _KIND_MIX.items()}

_PAIR_SHARE = 0.8  # share of a paired segment's cross-segment traffic sent to its partner
_WORDS_PER_SEGMENT = 15
_HANDLE_SYL = np.array([c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["cha", "sha", "jo"])
_WORD_SYL = np.array([c + v + e for c in "bdgklmnprstvz" for v in "aeiou" for e in ("", "n", "r")])
_TAG_SUFFIX = np.array(["", "", "club", "life", "crew", "talk", "fam", "daily", "hq", "lab"])
_BACKGROUND_WORDS = (
    "the a my this that so just really love new today anyone tried thanks looks need price "
    "launch drop finally honestly best worth week again still got with for and good wow same "
    "agree think review order shipping store brand update color size deal sale quality support "
    "team fans vibes morning tonight weekend lol omg yes nope maybe here back first never always"
)
_BACKGROUND = np.array(_BACKGROUND_WORDS.split())
_WEEKDAY = np.array([1.0, 1.03, 1.05, 1.0, 0.94, 0.78, 0.72])  # Monday .. Sunday
_HOUR = np.array(
    [3, 2, 1.5, 1, 1, 1.5, 3, 5, 7, 8, 8.5, 9, 9.5, 9, 8.5, 8, 8.5, 9.5, 11, 12, 12, 10.5, 8, 5]
)


@dataclass(frozen=True, eq=False)
class SyntheticLog:
    """A generated log with its planted truth.

    ``log``: canonical interaction table sorted by timestamp, source, target. ``truth``: one
    row per person (``person``, ``segment`` 0-based by size descending, ``influencer_rank``
    1..k for planted influencers, else 0). ``vocabularies``: segment -> its planted words and
    hashtags. ``params``: the arguments of the :func:`generate_log` call.
    """

    log: pd.DataFrame
    truth: pd.DataFrame
    vocabularies: dict[int, list[str]]
    params: dict[str, Any]


def _check(p: dict[str, Any]) -> pd.Timestamp:
    """Validate the arguments of :func:`generate_log`; return the UTC start."""
    for name, low in (
        ("n_segments", 2),
        ("n_rows", 1),
        ("min_size", 2),
        ("days", 1),
        ("influencers_per_segment", 0),
        ("paired_segments", 0),
    ):
        v = p[name]
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
            raise InputError(f"{name} must be an integer >= {low}, got {v!r}")
    k = p["influencers_per_segment"]
    if p["min_size"] < k + 2:
        raise InputError(
            f"min_size must be >= influencers_per_segment + 2 = {k + 2}, got {p['min_size']}"
        )
    if not isinstance(p["max_size"], int | np.integer) or p["max_size"] < p["min_size"]:
        raise InputError(
            f"max_size must be an integer >= min_size={p['min_size']}, got {p['max_size']!r}"
        )
    if p["activity"] not in ("lognormal", "zipf"):
        raise InputError(f"activity must be 'lognormal' or 'zipf', got {p['activity']!r}")
    if p["size_distribution"] not in ("powerlaw", "lognormal"):
        raise InputError(
            f"size_distribution must be 'powerlaw' or 'lognormal', got {p['size_distribution']!r}"
        )
    for name in ("mix", "noise", "influencer_share", "cross_to_influencers"):
        if not 0.0 <= float(p[name]) <= 1.0:
            raise InputError(f"{name} must be in [0, 1], got {p[name]!r}")
    if p["mix"] + p["noise"] > 1.0:
        raise InputError(f"mix + noise must be <= 1, got {p['mix']} + {p['noise']}")
    if 2 * p["paired_segments"] > p["n_segments"]:
        raise InputError(
            f"paired_segments must be <= n_segments / 2 = {p['n_segments'] // 2}, "
            f"got {p['paired_segments']}"
        )
    if p["themes"] and p["n_segments"] > len(THEMES):
        raise InputError(
            f"themes=True has {len(THEMES)} themes; n_segments must be <= {len(THEMES)}, "
            f"got {p['n_segments']}"
        )
    check_seed(p["seed"])
    try:
        start = pd.Timestamp(p["start"])
    except (ValueError, TypeError):
        raise InputError(f"start must be a date such as '2026-06-01', got {p['start']!r}") from None
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    return start.ceil("s")


def _segment_sizes(gen: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    """Heavy-tailed sizes in [lo, hi], largest first: a power law ``x^-2`` truncated to the
    range, with one segment >= 0.6*hi and at least a third of them <= 3*lo."""
    u = gen.random(n)
    x = 1.0 / (1.0 / lo - u * (1.0 / lo - 1.0 / (hi + 1)))
    sizes = np.sort(np.clip(np.floor(x), lo, hi).astype(np.int64))[::-1].copy()
    big = math.ceil(0.6 * hi)
    if sizes[0] < big:
        sizes[0] = gen.integers(big, hi + 1)
    need = min(math.ceil(n / 3), n - 1) - int((sizes[1:] <= 3 * lo).sum())
    if need > 0:  # the largest after the first become small
        sizes[1 : need + 1] = gen.integers(lo, min(3 * lo, hi) + 1, size=need)
    return np.sort(sizes)[::-1].copy()


def _syllable_words(gen: np.random.Generator, n: int, syl: np.ndarray, lo: int, hi: int):
    """``n`` pseudo-words of ``lo..hi`` syllables (object array)."""
    k = gen.integers(lo, hi + 1, size=n)
    parts = syl.astype(object)[gen.integers(len(syl), size=(n, hi))]
    parts[np.arange(hi)[None, :] >= k[:, None]] = ""
    out = parts[:, 0]
    for j in range(1, hi):
        out = out + parts[:, j]
    return out


def _unique(make, gen: np.random.Generator, n: int) -> np.ndarray:
    """First ``n`` distinct strings from repeated batches of ``make(gen, size)``."""
    out = np.array([], dtype=object)
    while len(out) < n:
        out = pd.unique(np.concatenate([out, make(gen, 2 * (n - len(out)) + 16)]))[:n]
    return out


def _handles(gen: np.random.Generator, size: int) -> np.ndarray:
    """Handles such as ``mirakoda_77``, ``tavelu``, ``kori.nesa``, ``zanobe3``."""
    base = _syllable_words(gen, size, _HANDLE_SYL, 2, 3)
    second = _syllable_words(gen, size, _HANDLE_SYL, 1, 2)
    d2 = gen.integers(10, 100, size).astype(str).astype(object)
    d4 = gen.integers(1, 10_000, size).astype(str).astype(object)
    style = gen.choice(5, size=size, p=[0.3, 0.2, 0.2, 0.15, 0.15])
    choices = [base + "_" + d2, base + d4, base + "." + second, base, base + "_" + second]
    return np.select([style == i for i in range(5)], choices, default=base)


def _block_draw(gen, cum0: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One weighted draw per row among items ``lo[i]..hi[i]-1`` (``cum0``: 0 + cumsum)."""
    base, top = cum0[lo], cum0[hi]
    x = base + (1.0 - gen.random(len(lo))) * (top - base)
    return np.clip(np.searchsorted(cum0, x, side="left") - 1, lo, hi - 1)


def _row_table(gen: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one column index per row from the probability rows ``table[rows]``."""
    cum = np.cumsum(table, axis=1)[:, :-1] / table.sum(axis=1, keepdims=True)
    last = table.shape[1] - 1 - np.argmax(table[:, ::-1] > 0, axis=1)  # never a 0-weight tail
    return np.minimum((gen.random(len(rows))[:, None] >= cum[rows]).sum(axis=1), last[rows])


def generate_log(
    *,
    n_segments: int = 40,
    n_rows: int = 40_000,
    min_size: int = 10,
    max_size: int = 500,
    mix: float = 0.15,
    noise: float = 0.02,
    influencers_per_segment: int = 3,
    influencer_share: float = 0.5,
    paired_segments: int = 0,
    activity: str = "lognormal",
    size_distribution: str = "powerlaw",
    cross_to_influencers: float = 0.0,
    kind_signal: bool = False,
    days: int = 90,
    start: str = "2026-06-01",
    text: bool = True,
    themes: bool = False,
    seed: int = 0,
) -> SyntheticLog:
    """Generate a brand-conversation log with planted segments and influencers.

    Each row's target is, with probability ``1 - mix - noise``, in the source's segment (one
    of its planted influencers with probability ``influencer_share``, weights ~0.49/0.29/0.21
    for k = 3, else a member by heavy-tailed popularity); with probability ``mix`` in another
    segment (by popularity; the first ``paired_segments`` pairs (0, 1), (2, 3), … send 80% of
    it to their partner; a share ``cross_to_influencers`` of it to one of that segment's
    planted influencers); with probability ``noise`` anyone. With ``activity="lognormal"``
    everyone acts at least 3 times (fewer only if ``n_rows`` is short), the rest by lognormal
    activity; with ``"zipf"`` everyone acts at least once and the rest goes by Zipf-like
    activity (most people act once or twice, as in real logs). ``size_distribution``:
    ``"powerlaw"`` (``x^-2`` in [min_size, max_size]) or ``"lognormal"`` (median near the
    geometric quarter point of the range, clipped to it). Each row's kind is drawn from its
    platform's mix; with ``kind_signal=True`` that mix is tilted by whether the row stays in
    the segment, as measured on the real Higgs log (:data:`HIGGS_IN_SEGMENT`: replies stay
    more often than retweets and mentions), so that among rows of kind ``k`` the odds of
    staying scale as there. Same seed, same log; ``text`` changes no other column, and
    ``kind_signal`` only the ``kind`` column (and the texts' prefixes).
    Each segment's planted vocabulary is 15 words and 2-3 hashtags of random syllables, or with
    ``themes=True`` a real interest's words and hashtags (:data:`nichegraph._themes.THEMES`,
    at most 20 segments).

    A realistic log (heavy-tailed activity, segments of 10 to 5,000, a fifth of the
    engagement leaving the segment, half of that aimed at other segments' influencers):

    >>> s = generate_log(n_segments=20, n_rows=20_000, max_size=5_000, mix=0.2,
    ...                  activity="zipf", size_distribution="lognormal",
    ...                  cross_to_influencers=0.5, seed=1)
    >>> acts = s.log["source"].value_counts().reindex(s.truth["person"], fill_value=0)
    >>> bool((acts <= 2).mean() > 0.5)
    True

    >>> s = generate_log(n_segments=4, n_rows=1_000, max_size=40, seed=3)
    >>> bool((s.log["source"] != s.log["target"]).all())
    True
    """
    params = dict(
        n_segments=n_segments,
        n_rows=n_rows,
        min_size=min_size,
        max_size=max_size,
        mix=mix,
        noise=noise,
        influencers_per_segment=influencers_per_segment,
        influencer_share=influencer_share,
        paired_segments=paired_segments,
        activity=activity,
        size_distribution=size_distribution,
        cross_to_influencers=cross_to_influencers,
        kind_signal=kind_signal,
        days=days,
        start=start,
        text=text,
        themes=themes,
        seed=seed,
    )
    t0 = _check(params)
    g_people, g_vocab, g_rows, g_time, g_text = (rng(s) for s in spawn_seeds(seed, 5))
    k, S = influencers_per_segment, n_segments

    # People: segments are contiguous blocks of person ids, influencers first in each block.
    if size_distribution == "lognormal":
        lo, hi = math.log(min_size), math.log(max_size)
        x = g_people.lognormal(lo + (hi - lo) / 4, (hi - lo) / 5, S)
        sizes = np.sort(np.clip(np.round(x), min_size, max_size).astype(np.int64))[::-1].copy()
    else:
        sizes = _segment_sizes(g_people, S, min_size, max_size)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    N = int(starts[-1])
    seg = np.repeat(np.arange(S), sizes)
    pos = np.arange(N) - starts[seg]
    rank = np.where(pos < k, pos + 1, 0)
    handles = _unique(_handles, g_people, N)
    act = g_people.lognormal(0.0, 1.0, N) * np.where(rank > 0, 0.5, 1.0)
    popularity = np.minimum(g_people.pareto(1.8, N) + 1.0, 8.0)
    plat_pref = g_people.dirichlet(8.0 * _PLATFORM_SHARE, size=S)
    if activity == "zipf":  # most act once or twice; a heavy tail of very active people
        act = (g_people.zipf(2.0, N) - 1.0) * np.where(rank > 0, 0.5, 1.0)
    base = min(1 if activity == "zipf" else 3, n_rows // N)
    if base == 0:
        raise InputError(
            f"n_rows={n_rows} is fewer than the {N} planted people; raise n_rows "
            "or lower n_segments/max_size"
        )

    # Sources: everyone `base` times, the rest by heavy-tailed activity.
    extra = g_rows.choice(N, size=n_rows - base * N, p=act / act.sum())
    src = np.concatenate([np.repeat(np.arange(N), base), extra])
    s_seg = seg[src]
    path = np.searchsorted(
        np.cumsum([1 - mix - noise, mix, noise]), g_rows.random(n_rows), side="right"
    ).clip(0, 2)  # 0 in, 1 cross, 2 noise
    if k:
        infl = g_rows.random(n_rows) < influencer_share
        path = np.where((path == 0) & ~infl, 3, path)  # 3 = in-segment member
    else:
        path = np.where(path == 0, 3, path)
    cum_member = np.concatenate([[0.0], np.cumsum(np.where(rank > 0, 0.0, popularity))])
    cum_cross = np.concatenate([[0.0], np.cumsum(popularity * np.where(rank > 0, 5.0, 1.0))])
    seg_w = cum_cross[starts[1:]] - cum_cross[starts[:-1]]
    cum_seg = np.concatenate([[0.0], np.cumsum(seg_w)])
    partner = np.where(np.arange(S) < 2 * paired_segments, np.arange(S) ^ 1, -1)
    rank_p = 1.0 / (np.arange(k) + 1.5)

    def draw(rows: np.ndarray) -> np.ndarray:
        out = np.empty(len(rows), dtype=np.int64)
        p, s = path[rows], s_seg[rows]
        m = p == 0
        if m.any():
            out[m] = starts[s[m]] + g_rows.choice(k, size=int(m.sum()), p=rank_p / rank_p.sum())
        m = p == 3
        out[m] = _block_draw(g_rows, cum_member, starts[s[m]], starts[s[m] + 1])
        m = p == 1
        sm = s[m]
        x = (1.0 - g_rows.random(len(sm))) * (cum_seg[-1] - seg_w[sm])
        t = np.searchsorted(cum_seg, x + np.where(x > cum_seg[sm], seg_w[sm], 0.0)) - 1
        t = np.clip(t, 0, S - 1)
        paired = (partner[sm] >= 0) & (g_rows.random(len(sm)) < _PAIR_SHARE)
        t = np.where(paired, partner[sm], t)
        out[m] = _block_draw(g_rows, cum_cross, starts[t], starts[t + 1])
        if cross_to_influencers > 0 and k:
            star = g_rows.random(len(sm)) < cross_to_influencers
            pick = g_rows.choice(k, size=len(sm), p=rank_p / rank_p.sum())
            out[m] = np.where(star, starts[t] + pick, out[m])
        m = p == 2
        r = g_rows.integers(0, N - 1, size=int(m.sum()))
        out[m] = r + (r >= src[rows][m])
        return out

    tgt = draw(np.arange(n_rows))
    for _ in range(30):  # redraw self-loops on the same path
        bad = np.flatnonzero(tgt == src)
        if not bad.size:
            break
        tgt[bad] = draw(bad)
    bad = tgt == src  # last resort: the next person of the same segment
    tgt[bad] = starts[s_seg[bad]] + (pos[src[bad]] + 1) % sizes[s_seg[bad]]

    # Platform by the source's segment leaning, kind by the platform's own mix.
    plat = _row_table(g_rows, plat_pref, s_seg)
    kind_table = np.array([[_KIND_MIX[p].get(c, 0.0) for c in KINDS] for p in PLATFORMS])
    if kind_signal:  # rows 2p: platform p staying in the segment, 2p + 1: leaving it
        kind_table = np.repeat(kind_table, 2, axis=0) * _kind_tilt()[np.arange(10) % 2]
        kind = _row_table(g_rows, kind_table, 2 * plat + (seg[tgt] != s_seg))
    else:
        kind = _row_table(g_rows, kind_table, plat)

    # Time: weekly rhythm, two campaign days, daily cycle; whole seconds in [start, +days).
    day_w = _WEEKDAY[(t0.day_of_week + np.arange(days)) % 7].copy()
    day_w[g_time.choice(days, size=min(2, days), replace=False)] *= 2.0
    day = g_time.choice(days, size=n_rows, p=day_w / day_w.sum())
    hour_w = _HOUR[(t0.hour + np.arange(24)) % 24]  # hours counted from the start's clock
    hour = g_time.choice(24, size=n_rows, p=hour_w / hour_w.sum())
    secs = day * 86_400 + hour * 3_600 + g_time.integers(0, 3_600, size=n_rows)

    handle_rank = np.empty(N, dtype=np.int64)
    handle_rank[np.argsort(handles.astype(str), kind="stable")] = np.arange(N)
    order = np.lexsort((handle_rank[tgt], handle_rank[src], secs))
    src, tgt, s_seg, plat, kind, secs = (a[order] for a in (src, tgt, s_seg, plat, kind, secs))

    h = pa.array(handles, type=pa.string())
    ts = (
        np.datetime64(t0.tz_convert(None).as_unit("s").to_datetime64(), "s")
        + secs.astype("timedelta64[s]")
    ).astype("datetime64[us]")
    log = pd.DataFrame(
        {
            "source": h.take(src).to_pandas(),
            "target": h.take(tgt).to_pandas(),
            "kind": pa.array(KINDS).take(kind).to_pandas(),
            "timestamp": pd.Series(ts).dt.tz_localize("UTC"),
            "platform": pa.array(PLATFORMS).take(plat).to_pandas(),
        }
    )

    # Vocabulary: 15 words and 2-3 hashtags per segment, all distinct.
    words, tags, n_tags = _theme_vocabulary(S) if themes else _syllable_vocabulary(g_vocab, S)
    tag_start = np.concatenate([[0], np.cumsum(n_tags)])
    vocabularies = {
        s: [*words[s].tolist(), *tags[tag_start[s] : tag_start[s + 1]].tolist()] for s in range(S)
    }
    if text:
        log["text"] = _texts(g_text, s_seg, kind, h.take(tgt), words, tags, tag_start, n_tags)

    trank = np.where(rank > 0, rank, k + 1)
    tord = np.lexsort((handle_rank, trank, seg))
    truth = pd.DataFrame(
        {
            "person": h.take(tord).to_pandas(),
            "segment": seg[tord].astype(np.int64),
            "influencer_rank": rank[tord].astype(np.int64),
        }
    )
    return SyntheticLog(log=log, truth=truth, vocabularies=vocabularies, params=params)


def _kind_tilt() -> np.ndarray:
    """Per kind, the factor of its share among rows that stay in the segment (row 0) and
    among rows that leave it (row 1): ``p_k / p`` and ``(1 - p_k) / (1 - p)`` with ``p_k`` the
    kind's in-segment share on the Higgs log and ``p`` all kinds' (1 for unmeasured kinds).

    >>> _kind_tilt()[:, KINDS.index("reply")].round(2).tolist()
    [1.9, 0.46]
    """
    p = np.array([HIGGS_IN_SEGMENT.get(k, _HIGGS_IN_ALL) for k in KINDS])
    return np.stack([p / _HIGGS_IN_ALL, (1.0 - p) / (1.0 - _HIGGS_IN_ALL)])


def _syllable_vocabulary(gen: np.random.Generator, n_seg: int):
    """15 pseudo-words and 2-3 pseudo-hashtags per segment, all distinct."""
    words = _unique(
        lambda g, n: _syllable_words(g, n, _WORD_SYL, 2, 3), gen, n_seg * _WORDS_PER_SEGMENT
    )
    n_tags = gen.integers(2, 4, size=n_seg)
    tags = _unique(
        lambda g, n: (
            "#"
            + _syllable_words(g, n, _WORD_SYL, 2, 3)
            + _TAG_SUFFIX.astype(object)[g.integers(len(_TAG_SUFFIX), size=n)]
        ),
        gen,
        int(n_tags.sum()),
    )
    return words.reshape(n_seg, _WORDS_PER_SEGMENT), tags, n_tags


def _theme_vocabulary(n_seg: int):
    """The first ``n_seg`` real-interest themes' words and hashtags."""
    chosen = THEMES[:n_seg]
    words = np.array([list(ws) for _, ws, _ in chosen], dtype=object)
    tags = np.array([t for *_, ts in chosen for t in ts], dtype=object)
    return words, tags, np.array([len(ts) for *_, ts in chosen], dtype=np.int64)


def _texts(gen, s_seg, kind, tgt_handles, words, tags, tag_start, n_tags) -> pd.Series:
    """Short posts: 4-10 tokens of the segment's words (Zipf), hashtags and background words,
    prefixed ``@target`` for replies and mentions and ``RT @target:`` for retweets."""
    n = len(s_seg)
    length = gen.integers(4, 11, size=n)
    row = np.repeat(s_seg, length)
    u = gen.random(len(row))
    zipf = 1.0 / np.arange(1, words.shape[1] + 1)
    wid = row * words.shape[1] + gen.choice(words.shape[1], size=len(row), p=zipf / zipf.sum())
    tid = tag_start[row] + np.floor(gen.random(len(row)) * n_tags[row]).astype(np.int64)
    bid = gen.integers(0, len(_BACKGROUND), size=len(row))
    nb, nw = len(_BACKGROUND), words.size
    token = np.where(u < 0.40, nb + wid, np.where(u < 0.52, nb + nw + tid, bid))
    vocab = pa.array(np.concatenate([_BACKGROUND.astype(object), words.ravel(), tags]))
    offsets = pa.array(np.concatenate([[0], np.cumsum(length)]).astype(np.int64))
    body = pc.binary_join(pa.LargeListArray.from_arrays(offsets, vocab.take(token)), " ")
    at = pc.binary_join_element_wise("@", tgt_handles, " ", "")
    rt = pc.binary_join_element_wise("RT @", tgt_handles, ": ", "")
    kinds = np.asarray(KINDS)[kind]
    prefix = pc.if_else(
        pa.array(np.isin(kinds, ["reply", "mention"])),
        at,
        pc.if_else(pa.array(kinds == "retweet"), rt, ""),
    )
    out = pc.binary_join_element_wise(prefix, body, "")
    return out.cast(pa.string()).to_pandas()
