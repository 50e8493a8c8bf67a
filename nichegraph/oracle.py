"""The ceiling any segmentation of a planted log can reach (:func:`oracle_segments`).

Judge a method's NMI against the planted truth as a share of the oracle's, not of 1.0: people
who act once or twice are often on the wrong side of their segment whatever a method does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["oracle_segments"]


def oracle_segments(log: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """The ceiling of recovery: each person's planted segment that receives most of their
    interactions (either direction, one per row), knowing everyone else's truth.

    No method that sees only the log can beat this on average; judge a segmentation's NMI as
    a share of the oracle's. Ties go to the smallest segment id. Indexed by person (people
    who never interact are left out).

    >>> from nichegraph.synth import generate_log
    >>> s = generate_log(n_segments=4, n_rows=2_000, max_size=40, seed=3)
    >>> o = oracle_segments(s.log, s.truth)
    >>> bool((o == s.truth.set_index("person")["segment"][o.index]).mean() > 0.9)
    True
    """
    seg = truth.set_index("person")["segment"]
    people = pd.Index(seg.index)
    a = people.get_indexer(log["source"])
    b = people.get_indexer(log["target"])
    ok = (a >= 0) & (b >= 0)
    a, b = a[ok], b[ok]
    t = seg.to_numpy()
    who = np.concatenate([a, b])
    other = np.concatenate([t[b], t[a]])
    k = int(t.max()) + 1
    key, count = np.unique(who * k + other, return_counts=True)
    person, segment = key // k, key % k
    order = np.lexsort((segment, -count, person))  # per person: most weight, smallest id
    person, segment = person[order], segment[order]
    first = np.concatenate([[True], person[1:] != person[:-1]])
    return pd.Series(segment[first], index=people[person[first]], name="segment")
