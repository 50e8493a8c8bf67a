"""Where a person's engagement comes from: participation, within-segment z-score, role.

Roles follow Guimerà & Amaral (2005), computed on engagement *received*:

* ``within_z``: z-score of a person's within-segment in-strength among their segment's members;
* ``participation``: ``1 - sum_s (k_is / k_i)^2`` with ``k_is`` the engagement received from
  segment ``s`` and ``k_i`` all engagement received (0 = all from one segment);
* ``outside_share``: share of engagement received that comes from other segments.

Role thresholds (:data:`HUB_Z`, :data:`CONNECTOR_HUB_P`, :data:`CONNECTOR_P`):
``segment hub`` z >= 2.5 and P <= 0.3; ``connector hub`` z >= 2.5 and P > 0.3;
``connector`` z < 2.5 and P > 0.62; ``member`` otherwise.
"""

from __future__ import annotations

import igraph as ig
import numpy as np

from ..graph.arrays import edge_arrays, stable_order

__all__ = [
    "CONNECTOR_HUB_P",
    "CONNECTOR_P",
    "HUB_Z",
    "assign_roles",
    "participation",
    "participation_of",
    "within_z",
]

HUB_Z = 2.5
CONNECTOR_HUB_P = 0.3
CONNECTOR_P = 0.62


def participation(graph: ig.Graph, membership: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Participation coefficient and outside share of received engagement, per vertex."""
    if graph.ecount() == 0:
        return np.zeros(graph.vcount()), np.zeros(graph.vcount())
    return participation_of(*edge_arrays(graph), membership)


def participation_of(
    e: np.ndarray, w: np.ndarray, membership: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`participation` from an ``(m, 2)`` edge array and its weights.

    >>> p, out = participation_of(np.array([[0, 2], [3, 2]]), np.ones(2), np.array([0, 0, 0, 1]))
    >>> p.tolist(), out.tolist()
    ([0.0, 0.0, 0.5, 0.0], [0.0, 0.0, 0.5, 0.0])
    """
    membership = np.asarray(membership, dtype=np.int64)
    n = len(membership)
    if len(e) == 0:
        return np.zeros(n), np.zeros(n)
    k = int(membership.max()) + 1
    total = np.bincount(e[:, 1], weights=w, minlength=n)
    own = np.bincount(
        e[:, 1], weights=w * (membership[e[:, 0]] == membership[e[:, 1]]), minlength=n
    )
    # k_is per (target, source segment): the own segment's is ``own`` (the same sum, in edge
    # order); only the ties across segments (a quarter at 1M rows) go through np.unique, and
    # the two are merged in key order, so every sum adds the same terms in the same order
    cross = membership[e[:, 0]] != membership[e[:, 1]]
    key = e[cross, 1] * k + membership[e[cross, 0]]
    uniq, inv = np.unique(key, return_inverse=True)
    has_own = np.flatnonzero(np.bincount(e[:, 1], weights=~cross, minlength=n) > 0)
    both = np.concatenate([uniq, has_own * k + membership[has_own]])
    key_order = stable_order(both)
    k_is = np.concatenate([np.bincount(inv, weights=w[cross], minlength=len(uniq)),
                           own[has_own]])[key_order]  # fmt: skip
    tgt = both[key_order] // k
    with np.errstate(divide="ignore", invalid="ignore"):
        sq = np.bincount(tgt, weights=(k_is / total[tgt]) ** 2, minlength=n)
        p = np.where(total > 0, 1 - sq, 0.0)
        outside = np.where(total > 0, 1 - own / total, 0.0)
    return np.clip(p, 0.0, 1.0), np.clip(outside, 0.0, 1.0)


def within_z(values: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """z-score of ``values`` within each segment (population std; 0 where the std is 0)."""
    memb = np.asarray(membership, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    size = np.bincount(memb).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(memb, weights=values) / size
        var = np.bincount(memb, weights=(values - mean[memb]) ** 2) / size
        std = np.sqrt(var)[memb]
        return np.where(std > 1e-12 * (1 + np.abs(mean[memb])), (values - mean[memb]) / std, 0.0)


_ROLES = np.array(["segment hub", "connector hub", "connector", "member"], dtype=object)


def assign_roles(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Role label per person from within-segment z-score and participation (an object
    array of the labels, taken by code: no text array made and converted per person).

    >>> assign_roles(np.array([3.0, 3.0, 0.0, 0.0]), np.array([0.1, 0.5, 0.7, 0.1])).tolist()
    ['segment hub', 'connector hub', 'connector', 'member']
    """
    hub = z >= HUB_Z
    code = np.select([hub & (p <= CONNECTOR_HUB_P), hub, p > CONNECTOR_P], [0, 1, 2], default=3)
    return _ROLES[code]
