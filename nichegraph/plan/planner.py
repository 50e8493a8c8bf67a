"""``plan(result, objective=..., budget=...)``: from a run's segments and influencers to a
budgeted action plan (who, in which segment, doing what, watched by which metric)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..segments.result import FRINGE
from .actions import ACTIONS, ADVOCATE_DAYS, campaign_roles, why
from .bots import BOT_MIN_RULES, BOT_RULES, bot_rules
from .coverage import audience_csr, coverage_stats, max_coverage, quota_pick
from .exclusions import exclusions, parse_max_reach, resolve_handles
from .measures import (
    CONVERSATION_KINDS,
    LogRows,
    campaign_measures,
    edge_array,
    log_rows,
    positions,
    responsiveness,
    sorted_keys,
)
from .objectives import METRICS, OBJECTIVES, PICK, objective_weights
from .previous import compare_previous
from .result import PLAN_COLUMNS, Plan
from .targeting import resolve_segments, segment_table

__all__ = ["check_plan_options", "plan"]

_RANKED = ["segment", "path", "rank", "person", "role", "pagerank", "coreness", "participation",
           "betweenness", "in_strength"]  # fmt: skip


_METHOD = {
    "coverage": "lazy-greedy maximum coverage (CELF)",
    "score": "best score within per-segment quotas, advocate-influencers first",
}
_AUDIENCE = {False: "distinct engagers", True: "distinct engagers in the target segments"}


def _positive(value: Any, option: str, *, zero: bool = False) -> int | None:
    if value is None:
        return None
    low = 0 if zero else 1
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InputError(f"{option} must be an integer >= {low}, got {value!r}")
    return int(value)


def _names(items: Iterable[str] | str | None) -> list[str]:
    if items is None:
        return []
    return [items] if isinstance(items, str) else [str(i) for i in items]


def _percentiles(frame: pd.DataFrame, measures: Iterable[str]) -> pd.DataFrame:
    grouped = frame.groupby("segment")
    return pd.DataFrame(
        {m: grouped[m].rank(pct=True, method="average").to_numpy() for m in measures},
        index=frame.index,
    )


def check_plan_options(**kw: Any) -> None:
    """Validate :func:`plan`'s options (those that need no run) before any work.

    >>> check_plan_options(objective="support", budget=0)
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: --budget must be an integer >= 1, got 0
    """
    import inspect

    defaults = {
        k: p.default for k, p in inspect.signature(plan).parameters.items() if k != "result"
    }
    unknown = sorted(set(kw) - set(defaults))
    if unknown:
        raise InputError(f"unknown plan option {unknown[0]!r}")
    opts = {**defaults, **kw}
    _check(opts["objective"], opts["budget"], opts)
    parse_max_reach(opts["max_reach"], 100)


def _check(objective: str, budget: Any, opts: dict[str, Any]) -> dict[str, Any]:
    """Validate the plan's options before any work; returns the integer options."""
    if objective not in OBJECTIVES:
        raise InputError(f"--objective {objective!r} is not one of {', '.join(OBJECTIVES)}")
    out = {
        "budget": _positive(budget, "--budget"),
        "per_segment": _positive(opts["per_segment"], "--per-segment"),
        "min_per_segment": _positive(opts["min_per_segment"], "--min-per-segment", zero=True),
        "top_segments": _positive(opts["top_segments"], "--top-segments"),
        "min_reach": _positive(opts["min_reach"], "--min-reach", zero=True),
    }
    low, high = out["min_per_segment"], out["per_segment"]
    if low is not None and high is not None and low > high:
        raise InputError(f"--min-per-segment {low} is above --per-segment {high}")
    objective_weights(objective, opts["score_weights"])
    if objective == "leads" and not opts["target_segments"]:
        raise InputError("--objective leads needs --target-segments (ids or labels of the buyers)")
    previous = opts["previous"]
    if previous is not None and "person" not in previous.columns:
        raise InputError("the previous plan has no 'person' column; give a plan.csv")
    return out


def _in_order(names: pa.Array) -> bool:
    """Whether the names are strictly ascending (the graph numbers people in name order,
    unless pseudonymised): vertex ids then sort like names. UTF-8 bytes sort like str."""
    if len(names) < 2:
        return True
    return bool(pc.all(pc.greater(names[1:], names[:-1])).as_py())


def _people(
    result: Any,
    names: pa.Array,
    measures: pd.DataFrame,
    bots: pd.DataFrame,
    weights: dict[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ranked people (the fringe is not ranked) with every measure and their score; and their
    within-segment percentiles on the weighted measures."""
    people = result.influencers[_RANKED].copy().reset_index(drop=True)
    ids = positions(people["person"], names)
    people["id"] = ids
    extra = {c: measures[c].to_numpy()[ids] for c in measures.columns}
    extra |= {c: bots[c].to_numpy()[ids] for c in [*BOT_RULES, "bot_rules"]}
    extra["platform"] = pd.Series(extra["platform"], dtype=object)  # no per-row str inference
    people = pd.concat([people, pd.DataFrame(extra, index=people.index)], axis=1)
    pct = _percentiles(people, weights)
    people["score"] = sum(w * pct[m] for m, w in weights.items())
    return people, pct


def _pick(
    cand: pd.DataFrame,
    objective: str,
    budget: int,
    csr: tuple[np.ndarray, np.ndarray],
    quotas: tuple[int | None, int | None],
    n_targeted: int,
    tie: np.ndarray,
) -> np.ndarray:
    """Candidate positions picked, in pick order (``tie``: sorts like the names)."""
    per_segment, min_per_segment = quotas
    groups = cand["segment"].to_numpy()
    if PICK[objective] == "coverage":
        return max_coverage(
            *csr, budget, priority=cand["score"].to_numpy(), groups=groups,
            max_per_group=per_segment, min_per_group=min_per_segment,
        ).picks  # fmt: skip
    first = (cand["campaign_role"] == "advocate-influencer").to_numpy()
    order = np.lexsort((tie, -cand["score"].to_numpy(), ~first))
    quota = per_segment if per_segment is not None else math.ceil(budget / max(n_targeted, 1))
    return quota_pick(
        order, budget, groups=groups, max_per_group=quota, min_per_group=min_per_segment
    )


def _rows_table(
    chosen: pd.DataFrame,
    pct: pd.DataFrame,
    stats: dict[str, Any],
    objective: str,
    weights: dict[str, float],
    labels: pd.Series,
    metric_value: np.ndarray,
) -> pd.DataFrame:
    """``plan.csv``: one row per pick."""
    return pd.DataFrame(
        {
            "pick": np.arange(1, len(chosen) + 1),
            "person": chosen["person"].to_numpy(dtype=object),
            "platform": chosen["platform"].to_numpy(dtype=object),
            "segment": chosen["segment"].to_numpy(),
            "label": chosen["segment"].map(labels).fillna("").to_numpy(dtype=object),
            "role": chosen["campaign_role"].to_numpy(dtype=object),
            "score": chosen["score"].to_numpy(dtype=float),
            "audience_new": stats["new"],
            "audience_total": stats["total"],
            "audience_exclusive": stats["exclusive"],
            "why": why(pct, chosen[list(weights)], weights),
            "action": chosen["campaign_role"].map(ACTIONS[objective]).to_numpy(dtype=object),
            "metric": METRICS[objective],
            "metric_value": metric_value,
            "advocate": chosen["advocate"].to_numpy(),
            "customer": chosen["customer"].to_numpy(),
            "likely_bot": chosen["likely_bot"].to_numpy(),
        }
    )[PLAN_COLUMNS]


def _no_response(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`responsiveness` not computed: NaN per person, no conversation rows."""
    return np.full(n, np.nan), np.full(n, np.nan), np.zeros(0, dtype=bool)


def _answered(rows: LogRows, answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Receivers of the timestamped conversation rows and whether each was answered (none
    when responsiveness was not computed)."""
    if not len(answered):
        return np.zeros(0, dtype=np.int64), answered
    talk = rows.is_kind(*CONVERSATION_KINDS) & np.isfinite(rows.seconds)
    return rows.dst[talk], answered


def plan(
    result: Any,
    *,
    objective: str = "awareness",
    budget: int = 20,
    brand: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
    competitors: Iterable[str] | str | None = None,
    keep: Iterable[str] | str | None = None,
    customers: Iterable[str] | str | None = None,
    target_segments: Sequence[str | int] | None = None,
    segments: Sequence[str | int] | None = None,
    top_segments: int | None = None,
    per_segment: int | None = None,
    min_per_segment: int | None = None,
    max_reach: int | float | str | None = None,
    min_reach: int = 2,
    score_weights: Mapping[str, float] | None = None,
    previous: pd.DataFrame | None = None,
) -> Plan:
    """A campaign :class:`Plan` for ``objective`` with ``budget`` people from an
    :class:`~nichegraph.AnalysisResult`.

    Scores are weighted sums of within-segment percentile ranks (:data:`OBJECTIVES`;
    ``score_weights`` overrides). Awareness and leads pick by lazy-greedy maximum coverage of
    distinct audience (leads: audience inside ``target_segments``), support and reputation by
    best score within per-segment quotas (``per_segment``, default an even share of the
    budget), advocate-influencers first. ``brand``/``exclude``/``competitors``/``keep``/
    ``customers`` are handles; ``segments``/``target_segments`` ids or labels; ``previous`` an
    earlier ``plan.csv`` as a DataFrame.

    >>> import nichegraph as ng
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> p = ng.plan(res, objective="awareness", budget=5)
    >>> len(p.people), p.summary["audience_covered"] >= p.summary["topk_audience_covered"]
    (5, True)
    """
    opts = _check(objective, budget, locals())
    budget = opts["budget"]
    g, names = result.graph.graph, np.asarray(result.graph.names, dtype=object)
    index = pd.Index(names, dtype=object)  # built once: 300k names take seconds otherwise
    arrow_names = pa.array(names, type=pa.string())  # for Arrow's hash lookups
    n = len(names)
    memb = np.asarray(result.segmentation.membership, dtype=np.int64)
    seg_rows = result.segmentation.segments
    seg_rows = seg_rows[seg_rows["segment"] != FRINGE][["segment", "path", "size"]].copy()
    labels = pd.Series("", index=seg_rows["segment"].to_numpy(), dtype=object)
    if result.profiles is not None:
        labels.update(result.profiles.set_index("segment")["label"].astype(object))
    seg_rows["label"] = seg_rows["segment"].map(labels).fillna("")
    targets = resolve_segments(target_segments, labels, "--target-segments")
    only = resolve_segments(segments, labels, "--segments")
    max_limit = parse_max_reach(max_reach, n)

    unknown: dict[str, int] = {}

    def handles(items: Any, option: str) -> np.ndarray:
        ids, missing = resolve_handles(
            _names(items), index, identity=result.interactions.identity,
            pseudonymiser=result.pseudonymiser, arrow_names=arrow_names,
        )  # fmt: skip
        if missing:
            unknown[option] = len(missing)
        return ids

    named = {
        "brand": handles(brand, "brand"),
        "exclude": handles(exclude, "exclude"),
        "competitor": handles(competitors, "competitors"),
    }
    keep_ids, customer_ids = handles(keep, "keep"), handles(customers, "customers")

    since, until = result.params.get("since"), result.params.get("until")
    rows = log_rows(
        result.interactions.table, names, since=since, until=until,
        kind_weights=result.graph.report.kind_weights, built=getattr(result.graph, "rows", None),
    )  # fmt: skip
    edges = edge_array(g, rows)
    unavailable: set[str] = set()
    if not rows.has_time:
        unavailable |= {"responsiveness", "brand_affinity"}
    if not len(named["brand"]):
        unavailable.add("brand_affinity")
    weights, shared_out = objective_weights(objective, score_weights, unavailable=unavailable)
    # responsiveness (a sort of every conversation row) only where a score or metric uses it
    response = (
        responsiveness(rows) if objective == "support" or "responsiveness" in weights
        else _no_response(n)
    )  # fmt: skip
    measures = campaign_measures(
        edges, memb, rows, brand=named["brand"], targets=np.asarray(targets), response=response
    )
    bots = bot_rules(rows, sorted_keys(edges[:, 0], edges[:, 1], n), memb)

    by_name = _in_order(arrow_names)
    people, pct = _people(result, arrow_names, measures, bots, weights)
    ids = people["id"].to_numpy()
    size = people.groupby("segment")["person"].transform("size")
    top_decile = (people["rank"] <= np.ceil(size / 10)).to_numpy()
    advocate = (people["brand_affinity"] >= ADVOCATE_DAYS).to_numpy() & bool(len(named["brand"]))
    customer = np.isin(ids, customer_ids)
    people["advocate"], people["customer"] = advocate, customer
    people["likely_bot"] = (people["bot_rules"] >= BOT_MIN_RULES).to_numpy()
    people["campaign_role"] = campaign_roles(
        people["role"].to_numpy(), advocate, customer, top_decile
    )

    excluded = exclusions(
        people, objective=objective, named=named, keep=keep_ids, max_reach=max_limit,
        min_reach=opts["min_reach"], names_follow_ids=by_name or None,
    )  # fmt: skip
    brand_kept = ~np.isin(ids, named["brand"]) | np.isin(ids, keep_ids)
    eligible = ~np.isin(ids, excluded["id"]) & (people["reach"] > 0).to_numpy() & brand_kept

    vertex_advocate = np.zeros(n, dtype=bool)
    vertex_advocate[ids[advocate]] = True
    seg_table = segment_table(
        seg_rows, edges, memb, rows, objective=objective, metric=METRICS[objective],
        targets=targets, advocate=vertex_advocate,
        candidates=people.loc[eligible].groupby("segment").size(),
        answered=_answered(rows, response[2]), only=only, top_segments=opts["top_segments"],
    )  # fmt: skip
    targeted = seg_table.loc[seg_table["targeted"], "segment"].to_numpy()
    in_plan = eligible & people["segment"].isin(targeted).to_numpy()
    cand, cand_pct = people[in_plan].reset_index(drop=True), pct[in_plan].reset_index(drop=True)

    # each candidate's audience: distinct engagers (leads: only those in target segments)
    local = np.full(n, -1, dtype=np.int64)
    local[cand["id"].to_numpy()] = np.arange(len(cand))
    e = edges[local[edges[:, 1]] >= 0]
    if objective == "leads":
        e = e[np.isin(memb[e[:, 0]], targets)]
    indptr, indices = audience_csr(local[e[:, 1]], e[:, 0], len(cand), distinct=True)
    quotas = (opts["per_segment"], opts["min_per_segment"])
    tie = cand["id" if by_name else "person"].to_numpy()  # ids sort like names: no strings
    picks = _pick(cand, objective, budget, (indptr, indices), quotas, len(targeted), tie)
    stats = coverage_stats(indptr, indices, picks)
    by_score = np.lexsort((tie, -cand["score"].to_numpy()))
    topk = coverage_stats(indptr, indices, by_score[:budget])

    chosen = cand.iloc[picks].reset_index(drop=True)
    metric_value = {
        "awareness": chosen["reach"].to_numpy(dtype=float),
        "support": chosen["responsiveness"].to_numpy(dtype=float),
        "reputation": np.array(  # advocates among the pick's engagers
            [vertex_advocate[indices[indptr[i] : indptr[i + 1]]].sum() for i in picks], dtype=float
        ),
        "leads": chosen["target_reach"].to_numpy(dtype=float),
    }[objective]
    out = _rows_table(
        chosen, cand_pct.iloc[picks].reset_index(drop=True), stats, objective, weights, labels,
        metric_value,
    )  # fmt: skip
    prev_counts: dict[str, Any] = {}
    if previous is not None:
        out, prev_counts = compare_previous(out, previous)
    picked_segments = out.loc[out["pick"].notna(), "segment"].value_counts()
    seg_table["picks"] = seg_table["segment"].map(picked_segments).fillna(0).astype(int)

    summary: dict[str, Any] = {
        "objective": objective,
        "pick_method": _METHOD[PICK[objective]],
        "budget": budget,
        "picked": len(chosen),
        "audience": _AUDIENCE[objective == "leads"],
        "audience_covered": stats["covered"],
        "topk_audience_covered": topk["covered"],
        "mean_overlap": round(stats["mean_overlap"], 6),
        "topk_mean_overlap": round(topk["mean_overlap"], 6),
        "picks": [
            {"person": p, "audience_new": int(a), "audience_exclusive": int(x)}
            for p, a, x in zip(chosen["person"], stats["new"], stats["exclusive"], strict=True)
        ],
        "weights": {m: round(w, 6) for m, w in weights.items()},
        "weights_shared_out": shared_out,
        "unavailable_measures": sorted(unavailable),
        "segments_targeted": len(targeted),
        "segments_total": len(seg_table),
        "candidates": len(cand),
        "ranked_people": len(people),
        "fringe_people_not_considered": int((memb == FRINGE).sum()),
        "excluded": {r: int(c) for r, c in excluded["rule"].value_counts().sort_index().items()},
        "excluded_people": int(excluded["id"].nunique()),
        "likely_bots_flagged": int(people["likely_bot"].sum()),
        "advocates": int(advocate.sum()),
        "handles_not_found": unknown,
    }
    if len(chosen) < budget:
        summary["note"] = (
            f"{len(chosen)} of {budget} picked: nobody else adds new audience or fits the quotas"
        )
    if prev_counts:
        summary["previous"] = prev_counts
    plan_params = {
        "objective": objective,
        **opts,
        **{k: names[v].tolist() for k, v in named.items()},
        "keep": names[keep_ids].tolist(),
        "customers": len(customer_ids),
        "target_segments": targets,
        "segments": only,
        "max_reach": None if max_reach is None else str(max_reach),
        "score_weights": dict(score_weights) if score_weights else None,
        "previous": previous is not None,
        "seed": result.params.get("seed"),
    }
    return Plan(out, seg_table, excluded.drop(columns="id"), summary, plan_params,
                people.drop(columns="id"))  # fmt: skip
