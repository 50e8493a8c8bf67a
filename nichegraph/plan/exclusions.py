"""Who is never picked, and why: every exclusion is one row ``person, rule, value, threshold``.

Rules (:data:`EXCLUSION_RULES`): ``brand`` (the brand's own accounts: kept in the graph, never
picked), ``exclude`` and ``competitor`` (named people), ``celebrity`` (``max_reach`` given: an
audience above N people or above P% of everyone; by default: an audience over 3x the median
reach of the segments' top-ranked people *and* mostly, over half, outside their own segment),
``min_reach`` (fewer distinct engagers than the minimum, default 2) and ``bot`` (likely bots,
see :mod:`nichegraph.plan.bots`; excluded for support and reputation, flagged otherwise).
``keep`` overrides every rule for the people it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .bots import BOT_MIN_RULES, BOT_RULES
from .measures import distinct, positions

__all__ = [
    "CELEBRITY_FACTOR",
    "CELEBRITY_OUTSIDE",
    "EXCLUDED_COLUMNS",
    "EXCLUSION_RULES",
    "exclusions",
    "parse_max_reach",
    "resolve_handles",
]

EXCLUSION_RULES = ("brand", "exclude", "competitor", "celebrity", "min_reach", "bot")
EXCLUDED_COLUMNS = ["person", "rule", "value", "threshold"]
#: Default celebrity: reach over this many times the median reach of the segments' leaders ...
CELEBRITY_FACTOR = 3.0
#: ... and more than this share of it from outside their own segment.
CELEBRITY_OUTSIDE = 0.5


def _key(text: Any) -> str:
    return str(text).strip().lstrip("@").casefold()


def resolve_handles(
    handles: Iterable[str],
    names: list[str] | pd.Index,
    *,
    identity: Any = None,
    pseudonymiser: Any = None,
    arrow_names: Any = None,
) -> tuple[np.ndarray, list[str]]:
    """Vertex ids of the given handles (case and a leading ``@`` ignored; through the people
    table when handles were merged; through the key when outputs are pseudonymised) and the
    handles found nowhere. ``arrow_names``: ``names`` as an Arrow string array, if at hand.

    >>> ids, unknown = resolve_handles(["@Ann", "zed"], ["ann", "bo"])
    >>> ids.tolist(), unknown
    ([0], ['zed'])
    """
    handles = [str(h).strip() for h in handles if str(h).strip()]
    if not handles:
        return np.zeros(0, dtype=np.int64), []
    exact = names if isinstance(names, pd.Index) else pd.Index(names, dtype=object)
    lookup_in = exact.to_numpy(dtype=object) if arrow_names is None else arrow_names
    exact_ids = positions(pd.Series(handles, dtype=object), lookup_in)
    if (exact_ids >= 0).all():
        return distinct(exact_ids), []
    keys = (
        pd.Series(exact.to_numpy(dtype=object), dtype=object)
        .str.strip()
        .str.lstrip("@")
        .str.casefold()
    )
    lookup = pd.Series(np.arange(len(exact)), index=keys.to_numpy())
    if identity is not None and len(getattr(identity, "handles", ())):
        h = identity.handles
        person_id = exact.get_indexer(h["person"])
        for col in ("handle", "key"):
            if col in h:
                k = h[col].astype(str).str.strip().str.lstrip("@").str.casefold().to_numpy()
                lookup = pd.concat([lookup, pd.Series(person_id, index=k)[person_id >= 0]])
    lookup = lookup[~lookup.index.duplicated(keep="first")]
    key_ids = lookup.reindex([_key(h) for h in handles]).to_numpy()
    ids: list[int] = []
    unknown: list[str] = []
    for item, e_id, k_id in zip(handles, exact_ids, key_ids, strict=True):
        found = int(e_id) if e_id >= 0 else (None if np.isnan(k_id) else int(k_id))
        if found is None and pseudonymiser is not None:
            variants = pd.Series([item, item.lstrip("@"), item.lstrip("@").lower()], dtype=object)
            hits = exact.get_indexer(pseudonymiser.names(variants))
            found = int(hits[hits >= 0][0]) if (hits >= 0).any() else None
        if found is None:
            unknown.append(item)
        else:
            ids.append(found)
    return distinct(np.asarray(ids, dtype=np.int64)), unknown


def parse_max_reach(value: Any, n_people: int) -> float | None:
    """``--max-reach``: a number of people (``500``) or a share of everyone (``5%``).

    >>> parse_max_reach("5%", 1000), parse_max_reach(40, 1000), parse_max_reach(None, 9)
    (50.0, 40.0, None)
    """
    if value is None:
        return None
    text = str(value).strip()
    try:
        if text.endswith("%"):
            pct = float(text[:-1])
            if not 0 < pct <= 100:
                raise ValueError
            return pct / 100 * n_people
        limit = float(text)
        if limit < 0 or not np.isfinite(limit):
            raise ValueError
        return limit
    except ValueError:
        raise InputError(
            f"--max-reach must be a number of people or a percentage such as 5%, got {value!r}"
        ) from None


def exclusions(
    people: pd.DataFrame,
    *,
    objective: str,
    named: dict[str, np.ndarray],
    keep: np.ndarray,
    max_reach: float | None,
    min_reach: int,
    names_follow_ids: bool | None = None,
) -> pd.DataFrame:
    """Every rule that removes a candidate, one row each (``person``, ``rule``, ``value``,
    ``threshold``), plus an ``id`` column (vertex id). ``people`` has one row per candidate
    with ``id``, ``person``, ``rank``, ``reach``, ``reach_out``, ``bot_rules`` and each bot
    rule; ``named`` maps ``brand``/``exclude``/``competitor`` to vertex ids.
    ``names_follow_ids``: whether id order is name order (checked when None).
    """
    parts: list[pd.DataFrame] = []  # added in EXCLUSION_RULES order, each sorted by person
    ids = people["id"].to_numpy()
    if names_follow_ids is None:
        names_follow_ids = _names_follow_ids(people)
    sort_key = ids if names_follow_ids else people["person"].to_numpy(dtype=object)

    def add(mask: np.ndarray, rule: str, value: Any, threshold: Any) -> None:
        if not mask.any():
            return
        rows = np.flatnonzero(mask)
        rows = rows[np.argsort(sort_key[rows], kind="stable")]  # ids sort like names or names
        sub = people[["id", "person"]].take(rows)
        sub["rule"] = rule
        sub["value"] = value[rows] if isinstance(value, np.ndarray) else value
        sub["threshold"] = threshold
        parts.append(sub)

    for rule, option in (
        ("brand", "--brand"),
        ("exclude", "--exclude"),
        ("competitor", "--competitors"),
    ):
        add(np.isin(ids, named.get(rule, [])), rule, "listed", option)
    reach = people["reach"].to_numpy(dtype=float)
    out_share = np.where(
        reach > 0, people["reach_out"].to_numpy(dtype=float) / np.maximum(reach, 1), 0
    )
    if max_reach is not None:
        add(reach > max_reach, "celebrity", reach, f"reach > {max_reach:g} (--max-reach)")
    else:
        leaders = people.loc[people["rank"] == 1, "reach"]
        limit = CELEBRITY_FACTOR * float(leaders.median()) if len(leaders) else np.inf
        add(
            (reach > limit) & (out_share > CELEBRITY_OUTSIDE),
            "celebrity",
            reach,
            f"reach > {limit:g} ({CELEBRITY_FACTOR:g}x the segment leaders' median) and "
            f"over {CELEBRITY_OUTSIDE:.0%} outside their segment",
        )
    add(reach < min_reach, "min_reach", reach, f"reach < {min_reach} (--min-reach)")
    if objective in ("support", "reputation"):
        flagged = people["bot_rules"].to_numpy() >= BOT_MIN_RULES
        hits = people.loc[flagged, list(BOT_RULES)].to_numpy(dtype=bool)
        rules = np.array(list(BOT_RULES), dtype=object)
        why = np.full(len(people), "", dtype=object)
        why[flagged] = ["; ".join(rules[row]) for row in hits]
        add(flagged, "bot", why, f">= {BOT_MIN_RULES} of {len(BOT_RULES)} bot rules")
    if not parts:
        return pd.DataFrame(
            {
                "id": pd.Series(dtype=np.int64),
                **{c: pd.Series(dtype=object) for c in EXCLUDED_COLUMNS},
            }
        )
    out = pd.concat(parts, ignore_index=True)  # already in rule, then person order
    out = out[~np.isin(out["id"].to_numpy(), keep)]
    return out[["id", *EXCLUDED_COLUMNS]].reset_index(drop=True)


def _names_follow_ids(people: pd.DataFrame) -> bool:
    """Whether sorting ``people`` by ``id`` sorts them by ``person`` too, strictly (the graph
    numbers people in name order)."""
    ids = people["id"].to_numpy()
    order = np.argsort(ids, kind="stable")
    person = people["person"].to_numpy(dtype=object)[order]
    return bool((np.diff(ids[order]) > 0).all() and (person[1:] > person[:-1]).all())
