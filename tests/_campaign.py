"""A planted campaign log: generated segments plus people whose role in a plan is obvious.

* ``twin_a`` / ``twin_b``: two hubs of segment 0 with one audience (the same 30 people);
* ``bridge_bo``: 35 engagers in each of segments 1, 2 and 3, more than any one leader has;
* ``celeb_max``: engaged by 220 people from every segment (a celebrity);
* ``brandco``: the brand's account, engaged by 15 members of segment 4;
* ``fan_ivy``: inner-circle advocate of segment 5: engages ``brandco`` on 5 distinct days,
  gets two replies from each of 25 members and answers each an hour later;
* ``bot_zz``: 300 retweets of segment-1 members, one every 10 minutes, the same text.
"""

import numpy as np
import pandas as pd

from nichegraph.synth import generate_log

START = pd.Timestamp("2026-06-01", tz="UTC")


def _rows(src, tgt, kind, when, text="hello there"):
    n = len(src)
    return pd.DataFrame(
        {
            "source": list(src),
            "target": list(tgt) if not isinstance(tgt, str) else [tgt] * n,
            "kind": kind,
            "timestamp": list(when),
            "platform": "x",
            "text": text,
        }
    )


def campaign_log(seed=7):
    """(log, truth): the planted log and the generated segments' truth."""
    base = generate_log(
        n_segments=6, n_rows=6_000, min_size=35, max_size=50, influencers_per_segment=2,
        days=28, seed=seed,
    )  # fmt: skip
    truth = base.truth
    gen = np.random.default_rng(seed)
    members = {s: truth.loc[truth["segment"] == s, "person"].tolist() for s in range(6)}

    def at(k):  # k random times in the window
        return START + pd.to_timedelta(np.sort(gen.uniform(0, 27 * 86400, k)), unit="s")

    parts = [base.log]
    fans = members[0][5:35]
    parts += [_rows(fans, "twin_a", "retweet", at(30)), _rows(fans, "twin_b", "retweet", at(30))]
    parts += [_rows(["twin_a", "twin_b"], ["twin_b", "twin_a"], "reply", at(2))]
    bridge_fans = members[1][2:37] + members[2][2:37] + members[3][2:37]
    parts.append(_rows(bridge_fans, "bridge_bo", "retweet", at(105)))
    parts.append(_rows(["bridge_bo"] * 3, members[1][5:8], "reply", at(3)))
    everyone = [p for s in range(6) for p in members[s][2:]]
    celeb_fans = list(gen.choice(everyone, 220, replace=False))
    parts.append(_rows(celeb_fans, "celeb_max", "mention", at(220)))
    parts.append(_rows(members[4][3:18], "brandco", "mention", at(15)))
    ivy_days = START + pd.to_timedelta([1, 4, 8, 12, 20], unit="D") + pd.Timedelta(hours=10)
    parts.append(_rows(["fan_ivy"] * 5, "brandco", "reply", ivy_days))
    circle = members[5][3:28]
    asks = at(50)
    parts.append(_rows(circle * 2, "fan_ivy", "reply", asks))
    parts.append(_rows(["fan_ivy"] * 50, circle * 2, "reply", asks + pd.Timedelta(hours=1)))
    bot_times = START + pd.Timedelta(days=3) + pd.to_timedelta(np.arange(300) * 600, unit="s")
    bot_targets = [members[1][i % 30] for i in range(300)]
    parts.append(_rows(["bot_zz"] * 300, bot_targets, "retweet", bot_times, "RT @x: buy now"))
    parts.append(_rows(members[1][10:14], "bot_zz", "reply", at(4)))
    log = pd.concat(parts, ignore_index=True)
    log["timestamp"] = pd.to_datetime(log["timestamp"], utc=True)
    return log.sort_values(["timestamp", "source", "target"], kind="mergesort").reset_index(
        drop=True
    ), truth
