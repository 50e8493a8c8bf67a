"""The data dictionary: one line per column of every table file a run writes (``columns.csv``).

:func:`dictionary` lists the columns actually present in a run's tables, so the dictionary
never documents a column a run did not write, and a column without a meaning here is an error
(tests run every output through it).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["COLUMN_MEANINGS", "MORE_MEANINGS", "dictionary", "dictionary_csv"]

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
        "split_gain": "strongest tie between sub-segments / the test's threshold "
        "(>= 1: kept whole; empty = untested)",
        "size": "members",
        "internal_weight": "engagement between members, in the ties segmentation used "
        "(--ties: interactions by default)",
        "external_weight": "engagement crossing the segment's boundary, either way (same ties)",
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


#: The tables that ``plan``, ``run --previous``, ``compare`` and ``track`` write, from the
#: README's file tables (``tests/test_readme.py`` keeps both in step).
MORE_MEANINGS: dict[str, dict[str, str]] = {
    "plan": {
        "pick": "order of the pick (1 = first)",
        "person": "handle",
        "platform": "their most frequent platform",
        "segment": "their segment and its label",
        "label": "their segment and its label",
        "role": "campaign role (see above)",
        "score": "the objective's score, 0–1",
        "audience_new": "audience this pick adds to the picks before it",
        "audience_total": "their whole audience",
        "audience_exclusive": "audience no other pick reaches",
        "why": "the three largest contributions to the score, in words",
        "action": "what to do with them",
        "metric": "the metric to watch and its value now (awareness: their reach; support: "
        "their responsiveness; reputation: advocates among their engagers; leads: "
        "…",
        "metric_value": "the metric to watch and its value now (awareness: their reach; "
        "support: their responsiveness; reputation: advocates among their "
        "engagers; leads: …",
        "advocate": "true if they engaged a --brand account on 3 or more distinct days",
        "customer": "true if listed in --customers",
        "likely_bot": "true if at least 2 of the 5 bot rules hold (see plan_excluded.csv)",
    },
    "plan_segments": {
        "segment": "as in segment_summary.csv",
        "path": "as in segment_summary.csv",
        "label": "as in segment_summary.csv",
        "size": "as in segment_summary.csv",
        "engagement": "rows received by its members; of those, replies, comments and mentions",
        "conversation": "rows received by its members; of those, replies, comments and mentions",
        "audience": "distinct people who engaged its members",
        "target_reach": "of those, people in --target-segments (empty without)",
        "advocates": "advocates among its members",
        "growth": "engagement received in the second half of the log's time span "
        "over the first, minus 1 (empty without timestamps)",
        "candidates": "members who can be picked",
        "priority": "order by the objective's figure (1 = first)",
        "targeted": "whether the plan works in it, and why (not)",
        "why": "whether the plan works in it, and why (not)",
        "metric": "the metric to watch and its value now (awareness: audience; "
        "support: share of conversation answered; reputation: advocates; "
        "leads: target reach)",
        "metric_value": "the metric to watch and its value now (awareness: "
        "audience; support: share of conversation answered; "
        "reputation: advocates; leads: target reach)",
        "picks": "people picked in it",
    },
    "plan_excluded": {
        "person": "handle",
        "rule": "brand, exclude, competitor, celebrity, min_reach or bot",
        "value": "their value for the rule (reach; the bot rules that hold; listed)",
        "threshold": "the limit or the option",
    },
    "lineage": {
        "segment": "the persistent id",
        "status": "active; dormant while unmatched for fewer than 3 runs in a row; then gone",
        "first_run": "run numbers (1 = first run of the chain; in track, window numbers) "
        "it was first and last seen in",
        "last_run": "run numbers (1 = first run of the chain; in track, window numbers) "
        "it was first and last seen in",
        "missed": "runs in a row it has been unmatched",
        "parents": "previous segments its new id is linked to (Jaccard > 0.1), "
        ";-separated: where a split or merged segment came from",
        "name": "the name given in labels.csv",
    },
    "labels": {
        "segment": "the persistent id",
        "name": "your name for it (empty until you fill it in; kept from the previous run)",
        "label": "the automatic label, from the profile",
    },
    "segment_changes": {
        "event": "continued, grew, shrank, split, merged, born or gone",
        "segment_a": "the segment in run A and in run B (empty for born / gone)",
        "segment_b": "the segment in run A and in run B (empty for born / gone)",
        "size_a": "members of segment_a in run A",
        "size_b": "members of segment_b in run B",
        "jaccard": "their Jaccard index on the people in both runs",
        "label_a": "their names (from labels.csv) or automatic labels",
        "label_b": "their names (from labels.csv) or automatic labels",
    },
    "influencer_changes": {
        "person": "handle",
        "segment_a": "their segment in each run (B: even outside the shortlist)",
        "segment_b": "their segment in each run (B: even outside the shortlist)",
        "rank_a": "shortlist rank and composite score in each run (empty when not shortlisted)",
        "rank_b": "shortlist rank and composite score in each run (empty when not shortlisted)",
        "score_a": "shortlist rank and composite score in each run (empty when not shortlisted)",
        "score_b": "shortlist rank and composite score in each run (empty when not shortlisted)",
        "change": "entered / left the shortlist, moved to another segment, "
        "rose, fell or kept their rank",
    },
    "people_moves": {
        "person": "handle",
        "segment_a": "where they were and where they are",
        "segment_b": "where they were and where they are",
    },
    "alerts": {
        "alert_id": "first 16 hex digits of SHA-256 over kind, subject and window end: "
        "re-runs give the same ids, so a consumer can drop the ones it has "
        "seen",
        "window_end": "end of the later run's window (--until, else its last timestamp)",
        "kind": "what fired: volume_spike/drop, brand_spike, segment_born/gone/split/merged/"
        "grew/shrank, influencer_rise/fall/switch, new_bridge",
        "severity": "info, warn or crit",
        "subject_type": "overall, segment, segment_pair, person or brand; its id; its name "
        "or label",
        "subject_id": "overall, segment, segment_pair, person or brand; its id; its name or label",
        "subject_label": "overall, segment, segment_pair, person or brand; its id; its "
        "name or label",
        "metric": "what was measured, its value now and before, the rule's threshold",
        "value": "what was measured, its value now and before, the rule's threshold",
        "baseline": "what was measured, its value now and before, the rule's threshold",
        "threshold": "what was measured, its value now and before, the rule's threshold",
        "message": "the alert in one sentence",
    },
    "timeline": {
        "window": "window number, from 1",
        "window_start": "the window [start, end), UTC",
        "window_end": "the window [start, end), UTC",
        "segment": "persistent id",
        "status": "active (a segment is listed in the windows it was seen in)",
        "size": "members in the window",
        "interactions": "interactions its members took part in during the window",
        "label": "name or automatic label",
    },
    "windows": {
        "window": "window number, from 1",
        "window_start": "start of the window [start, end), UTC",
        "window_end": "end of the window [start, end), UTC",
        "interactions": "the window's interactions used, people, segments",
        "people": "the window's interactions used, people, segments",
        "segments": "the window's interactions used, people, segments",
        "born": "segments born / gone against the window before (pairwise)",
        "gone": "segments born / gone against the window before (pairwise)",
        "kept_id_share": "share of the people in a segment in both this window and the "
        "one before whose segment id stayed the same",
        "run_id": "the window's run id",
    },
}
COLUMN_MEANINGS.update(MORE_MEANINGS)


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
            if col not in meanings and table == "plan":  # a column a person added to plan.csv
                rows.append((table, str(col), "carried over from the previous plan (--previous)"))
                continue
            if col not in meanings:
                raise KeyError(f"{table}.{col} has no meaning in the data dictionary")
            rows.append((table, str(col), meanings[col]))
    return pd.DataFrame(rows, columns=["table", "column", "meaning"])


def dictionary_csv(tables: Mapping[str, pd.DataFrame]) -> str:
    """``columns.csv``'s text for ``tables`` (see :func:`dictionary`).

    >>> dictionary_csv({"labels": pd.DataFrame(columns=["segment"])}).splitlines()[0]
    'table,column,meaning'
    """
    from .csv import csv_text

    return csv_text(dictionary(tables))
