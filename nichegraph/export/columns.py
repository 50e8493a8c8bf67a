"""The data dictionary: one line per column of every table file a run writes (``columns.csv``).

:func:`dictionary` lists the columns actually present in a run's tables, so the dictionary
never documents a column a run did not write, and a column without a meaning here is an error
(tests run every output through it).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["COLUMN_MEANINGS", "dictionary"]

_INFLUENCER = {
    "segment": "leaf segment id (1 = largest; 0 = fringe)",
    "path": "position in the segment hierarchy, as text (e.g. a split of a top-level segment)",
    "rank": "rank of the person in the segment by composite score (1 = most influential)",
    "person": "handle",
    "score": "composite score: weighted mean of the measures' within-segment percentiles",
    "role": "segment hub, connector hub, connector, member (or fringe)",
    "pagerank": "weighted PageRank inside the segment (sums to 1 per segment)",
    "in_strength": "weighted engagement received from members",
    "reach": "distinct members who engaged with the person",
    "betweenness": "normalised directed betweenness inside the segment",
    "coreness": "k-core number in the segment's undirected graph",
    "global_pagerank": "weighted PageRank on the whole graph",
    "participation": "1 - sum of squared shares of received engagement per source segment",
    "outside_share": "share of received engagement that comes from other segments",
    "within_z": "z-score of in_strength among the segment's members",
    "engagement_share": "share of the segment's internal engagement the person receives",
}

COLUMN_MEANINGS: dict[str, dict[str, str]] = {
    "segments": {
        "person": "handle",
        "segment": _INFLUENCER["segment"],
        "path": _INFLUENCER["path"],
        "role": "segment hub, connector hub, connector, member or fringe",
        "confidence": "share of --stability runs keeping the person with their segment's majority",
        "handles": "the person's handles by platform (--people)",
    },
    "segment_summary": {
        "segment": _INFLUENCER["segment"],
        "path": _INFLUENCER["path"],
        "label": "automatic label from the segment's profile",
        "parent": "path of the segment it was split from (empty at top level)",
        "depth": "depth in the hierarchy (1 = top level)",
        "split_gain": "gain of the last split test over a random graph (empty = untested)",
        "size": "members",
        "internal_weight": "engagement between members",
        "external_weight": "engagement crossing the segment's boundary, either way",
        "density": "ties between members / possible ties",
        "conductance": "external weight / min(volume inside, volume outside); low = well separated",
        "oversize": "larger than --max-size",
        "top_influencers": "the segment's ranks 1-3, '; '-separated",
        "stability": "mean best-match Jaccard index over the --stability runs",
        "unstable": "stability below 0.5",
    },
    "influencers": _INFLUENCER,
    "shortlist": _INFLUENCER,
    "segment_profiles": {
        "segment": _INFLUENCER["segment"],
        "path": _INFLUENCER["path"],
        "label": "top 3 distinctive terms, or 'around HUB' without text",
        "size": "members",
        "interactions": "interactions the members made",
        "distinctive_terms": "words and hashtags that set the segment apart, with z-scores",
        "top_hashtags": "most used hashtags, with counts",
        "top_mentions_outside": "accounts outside the segment its members engage with, with counts",
        "top_domains": "most linked URL domains, with counts",
        "platform_mix": "share of the segment's interactions per platform",
        "kind_mix": "share of the segment's interactions per kind",
        "first_seen": "date (UTC) of its first interaction",
        "last_seen": "date (UTC) of its last interaction",
        "per_week": "dated interactions per week of the log's span",
        "peak_week": "its busiest ISO week",
        "busiest_weekday": "its busiest weekday (UTC)",
        "weekly_activity": "interactions per ISO week over the whole log's span",
    },
    "segment_flows": {
        "from_segment": "segment whose members gave the engagement (0 = fringe)",
        "from_path": "path of from_segment",
        "to_segment": "segment whose members received it (0 = fringe)",
        "to_path": "path of to_segment",
        "weight": "summed edge weight (kind weights and decay applied)",
        "interactions": "interactions behind the flow",
        "share_of_from": "share of everything the from segment gives",
        "share_of_to": "share of everything the to segment receives",
    },
    "scan": {
        "resolution": "the resolution tried",
        "segments": "number of segments (fringe excluded), median over the runs",
        "median_size": "median segment size, median over the runs",
        "largest_size": "largest segment size, median over the runs",
        "fringe": "people in segments smaller than --min-size, median over the runs",
        "modularity": "modularity of the leaf segments (at resolution 1), mean over the runs",
        "stability": "mean adjusted Rand index between the runs",
        "plateau": "row of the chosen plateau",
        "recommended": "the recommended row",
    },
}
"""``{table: {column: meaning}}``; a table is written as ``TABLE.csv`` (or ``.parquet``, or a
sheet of ``tables.xlsx``)."""


def dictionary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``table, column, meaning``: one row per column of each of ``tables`` (in their order).

    >>> dictionary({"segment_flows": pd.DataFrame(columns=["from_segment", "weight"])}).shape
    (2, 3)
    >>> dictionary({"segments": pd.DataFrame(columns=["mystery"])})
    Traceback (most recent call last):
    ...
    KeyError: 'segments.mystery has no meaning in the data dictionary'
    """
    rows = []
    for table, frame in tables.items():
        meanings = COLUMN_MEANINGS.get(table, {})
        for col in frame.columns:
            if col not in meanings:
                raise KeyError(f"{table}.{col} has no meaning in the data dictionary")
            rows.append((table, str(col), meanings[col]))
    return pd.DataFrame(rows, columns=["table", "column", "meaning"])
