"""Weekly interaction logs with planted segment events between the weeks (known answers).

People are named after their planted group (``c3`` is member 3 of segment C). Week 1 holds
C (continues), S (splits into S1 = s0..s39 and S2 = s40..s79), M1 and M2 (merge into M),
G (disappears after week 1), D (doubles: d40..d79 join) and R (influencer r0 in week 1; r7
takes first place from week 2 on). Week 2 adds N (new). Weeks 3 and 4 repeat week 2's
structure with fresh draws, except that in week 4 N's members send 15% of their engagement to
C's (a new bridge). Each member engages ``per_person`` times a week: 30% with the group's star
(its first member, or the planted one), the rest with a random member; 2% of all rows go to
anyone active that week. The brand account ``brandx`` is mentioned 60 times in each of weeks
1-3 and 300 times in week 4 (by C's members).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEK1 = {
    "c": [f"c{i}" for i in range(60)],
    "s": [f"s{i}" for i in range(80)],
    "m1": [f"m1_{i}" for i in range(40)],
    "m2": [f"m2_{i}" for i in range(40)],
    "g": [f"g{i}" for i in range(50)],
    "d": [f"d{i}" for i in range(40)],
    "r": [f"r{i}" for i in range(60)],
}
LATER = {
    "c": WEEK1["c"],
    "s1": WEEK1["s"][:40],
    "s2": WEEK1["s"][40:],
    "m": WEEK1["m1"] + WEEK1["m2"],
    "d": [f"d{i}" for i in range(80)],
    "r": WEEK1["r"],
    "n": [f"n{i}" for i in range(50)],
}
BRAND = "brandx"
STARS = {"r": {1: "r0", 2: "r7", 3: "r7", 4: "r7"}}


def _week(groups: dict[str, list[str]], week: int, rng: np.random.Generator, per_person: int):
    start = pd.Timestamp("2026-06-01", tz="UTC") + pd.Timedelta(days=7 * (week - 1))
    everyone = np.array([p for g in groups.values() for p in g])
    src, tgt = [], []
    for name, members in groups.items():
        m = np.array(members)
        star = STARS.get(name, {}).get(week, members[0])
        s = np.repeat(m, per_person)
        t = np.where(rng.random(len(s)) < 0.3, star, rng.choice(m, len(s)))
        if week == 4 and name == "n":  # the new bridge
            bridge = rng.random(len(s)) < 0.15
            t[bridge] = rng.choice(groups["c"], int(bridge.sum()))
        noise = rng.random(len(s)) < 0.02
        t[noise] = rng.choice(everyone, int(noise.sum()))
        src.append(s)
        tgt.append(t)
    brand = 300 if week == 4 else 60
    src.append(rng.choice(groups["c"], brand))
    tgt.append(np.full(brand, BRAND))
    s, t = np.concatenate(src), np.concatenate(tgt)
    keep = s != t
    s, t = s[keep], t[keep]
    seconds = np.sort(rng.integers(0, 7 * 86400, len(s)))
    return pd.DataFrame(
        {
            "source": s,
            "target": t,
            "kind": rng.choice(["reply", "mention", "retweet"], len(s)),
            "timestamp": start + pd.to_timedelta(seconds, unit="s"),
        }
    )


def planted_weeks(n_weeks: int = 2, *, per_person: int = 8, seed: int = 0) -> list[pd.DataFrame]:
    """The first ``n_weeks`` weekly logs (1 to 4)."""
    rng = np.random.default_rng(seed)
    return [_week(WEEK1 if w == 1 else LATER, w, rng, per_person) for w in range(1, n_weeks + 1)]


def segment_of(segments: pd.DataFrame, people: list[str]) -> int:
    """The segment most of ``people`` are in (``segments``: a run's ``segments`` table)."""
    seg = segments.set_index("person")["segment"].reindex(people).dropna()
    return int(seg.mode().iloc[0])
