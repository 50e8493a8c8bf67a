"""What to do with each pick: a campaign role, an action from a fixed table, the reason in words.

Campaign roles, first match wins: ``advocate-influencer`` (an advocate or known customer in the
top decile of their segment), ``advocate`` (engaged a brand account on at least
:data:`ADVOCATE_DAYS` distinct days), ``customer`` (listed with ``--customers``), then the
network role: ``connector`` (connector or connector hub: engagement from many segments),
``hub`` (segment hub), ``member``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["ACTIONS", "ADVOCATE_DAYS", "ROLES", "campaign_roles", "why"]

#: An advocate engaged a brand account on at least this many distinct days.
ADVOCATE_DAYS = 3

ROLES = ("advocate-influencer", "advocate", "customer", "connector", "hub", "member")

#: objective -> campaign role -> action.
ACTIONS: dict[str, dict[str, str]] = {
    "awareness": {
        "advocate-influencer": "give early access to launch content to share with their audience",
        "advocate": "send launch content to share, with a personal thank-you",
        "customer": "invite to post their own review at launch",
        "connector": "share launch content across segments",
        "hub": "brief on the launch to post in their segment",
        "member": "send launch content to share",
    },
    "support": {
        "advocate-influencer": "invite to lead the answer squad",
        "advocate": "invite to the answer squad",
        "customer": "invite to the answer squad as a customer voice",
        "connector": "route unanswered questions from other segments to them",
        "hub": "brief on common questions and point their segment to the help channel",
        "member": "reply to their questions first and thank them for answers",
    },
    "reputation": {
        "advocate-influencer": "invite to the ambassador programme",
        "advocate": "thank publicly and feature their posts",
        "customer": "ask for a testimonial",
        "connector": "share proof points they can pass across segments",
        "hub": "brief with facts before a sensitive topic comes up",
        "member": "engage with their posts and thank them",
    },
    "leads": {
        "advocate-influencer": "offer a referral code for the target segments",
        "advocate": "offer a referral code",
        "customer": "ask for an introduction to peers in the target segments",
        "connector": "co-create an offer aimed at the target segments",
        "hub": "sponsor a post with an offer for their segment",
        "member": "send an offer to share with the target segments",
    },
}


def campaign_roles(
    network_role: np.ndarray, advocate: np.ndarray, customer: np.ndarray, top_decile: np.ndarray
) -> np.ndarray:
    """Campaign role per person (see the module docstring).

    >>> campaign_roles(np.array(["member", "connector", "member"], dtype=object),
    ...                np.array([True, False, False]), np.array([False, False, True]),
    ...                np.array([True, True, False])).tolist()
    ['advocate-influencer', 'connector', 'customer']
    """
    codes, found = pd.factorize(np.asarray(network_role, dtype=object))  # a few distinct roles
    base = {"connector": "connector", "connector hub": "connector", "segment hub": "hub"}
    out = np.array([base.get(r, "member") for r in found] + ["member"], dtype=object)[codes]
    out[customer] = "customer"  # the first that holds of: advocate-influencer, advocate, ...
    out[advocate] = "advocate"
    out[(advocate | customer) & top_decile] = "advocate-influencer"
    return out


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def why(pct: pd.DataFrame, raw: pd.DataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """The three largest contributions to each score, in words, e.g.
    ``reach at percentile 98 (412); pagerank top of segment (0.12); ...``.

    >>> pct = pd.DataFrame({"reach": [0.5, 1.0], "pagerank": [1.0, 0.5]})
    >>> raw = pd.DataFrame({"reach": [3, 9], "pagerank": [0.4, 0.1]})
    >>> why(pct, raw, {"reach": 0.7, "pagerank": 0.3}).tolist()[1]
    'reach top of segment (9); pagerank at percentile 50 (0.10)'
    """
    measures = list(weights)
    contrib = np.column_stack([pct[m].to_numpy(dtype=float) * weights[m] for m in measures])
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :3]
    out = []
    for i, row in enumerate(order):
        words = []
        for j in row:
            if contrib[i, j] <= 0:
                continue
            m = measures[j]
            p = pct[m].iat[i]
            where = "top of segment" if p >= 1 else f"at percentile {int(p * 100)}"
            words.append(f"{m} {where} ({_fmt(raw[m].iat[i])})")
        out.append("; ".join(words))
    return np.asarray(out, dtype=object)
