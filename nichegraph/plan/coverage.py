"""Budgeted maximum coverage over audiences held as a numpy CSR (candidate -> audience ids).

:func:`max_coverage` picks up to ``budget`` candidates so that the union of their audiences is
as large as possible. Greedy (take the largest marginal gain each time) is within ``1 - 1/e``
of the optimum for this submodular objective (Nemhauser, Wolsey & Fisher 1978); the lazy
variant (CELF, Leskovec et al. 2007) re-evaluates a candidate only when it reaches the top of
a max-heap of stale gains, and picks exactly what plain greedy picks. Ties go to the higher
``priority``, then to the lower candidate index, so the pick is deterministic. A candidate
whose marginal gain is 0 is never picked: two people with the same audience are never both in.

Quotas: ``groups`` (one id per candidate), ``max_per_group`` and ``min_per_group`` cap and
guarantee picks per group; once the budget left equals the picks still owed to groups below
their minimum, only those groups are eligible.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Coverage", "audience_csr", "coverage_stats", "max_coverage", "quota_pick"]


@dataclass(frozen=True, eq=False)
class Coverage:
    """Picked candidate indices in pick order and the new audience each one added."""

    picks: np.ndarray
    gains: np.ndarray

    @property
    def covered(self) -> int:
        """Distinct audience members covered by the picks."""
        return int(self.gains.sum())


def audience_csr(
    owners: np.ndarray, members: np.ndarray, n_owners: int, *, distinct: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """CSR (``indptr``, ``indices``) of each owner's distinct audience members (ascending).

    ``distinct=True`` says the (owner, member) pairs are already distinct (a graph's edges),
    which saves the deduplication.

    >>> indptr, indices = audience_csr(np.array([1, 0, 1, 1]), np.array([5, 6, 5, 7]), 3)
    >>> indptr.tolist(), indices.tolist()
    ([0, 1, 3, 3], [6, 5, 7])
    """
    owners = np.asarray(owners, dtype=np.int64)
    members = np.asarray(members, dtype=np.int64)
    if len(owners):  # one integer sort: members ascending within each owner
        span = int(members.max()) + 1
        key = np.sort(owners * span + members)
        if not distinct:
            key = key[np.r_[True, key[1:] != key[:-1]]]
        owners, members = key // span, key % span
    indptr = np.zeros(n_owners + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=n_owners), out=indptr[1:])
    return indptr, members


class _Quota:
    """Per-group caps and minimums; says whether a group may take one more pick."""

    def __init__(self, groups, n, budget, max_per_group, min_per_group) -> None:
        self.groups = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups)
        _, self.gid = np.unique(self.groups, return_inverse=True)
        k = int(self.gid.max()) + 1 if n else 0
        self.count = np.zeros(k, dtype=np.int64)
        self.cap = max_per_group if max_per_group is not None else budget
        # a group can only be owed what it has candidates for
        self.need = np.minimum(np.bincount(self.gid, minlength=k), min_per_group or 0)
        self.left = budget

    def allowed(self, i: int) -> bool:
        g = self.gid[i]
        if self.count[g] >= self.cap:
            return False
        owed = int(np.maximum(self.need - self.count, 0).sum())
        return owed < self.left or self.count[g] < self.need[g]

    def mask(self) -> np.ndarray:
        """:meth:`allowed` for every candidate at once."""
        owed = int(np.maximum(self.need - self.count, 0).sum())
        ok = self.count < self.cap
        if owed >= self.left:
            ok &= self.count < self.need
        return ok[self.gid]

    def take(self, i: int) -> None:
        self.count[self.gid[i]] += 1
        self.left -= 1


def max_coverage(
    indptr: np.ndarray,
    indices: np.ndarray,
    budget: int,
    *,
    priority: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    max_per_group: int | None = None,
    min_per_group: int | None = None,
    lazy: bool = True,
) -> Coverage:
    """Greedy budgeted maximum coverage; ``lazy=True`` is CELF, ``False`` plain greedy.

    The classic instance where greedy covers 7 of an optimum 8 (budget 2): A = {0..3},
    B = {4..7}, C = {0, 1, 4, 5, 6}; greedy takes C, then A.

    >>> sets = [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 4, 5, 6]]
    >>> indptr = np.cumsum([0] + [len(s) for s in sets]); indices = np.concatenate(sets)
    >>> cov = max_coverage(indptr, indices, 2)
    >>> cov.picks.tolist(), cov.covered
    ([2, 0], 7)
    """
    indptr = np.asarray(indptr, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    n = len(indptr) - 1
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=float)
    quota = _Quota(groups, n, budget, max_per_group, min_per_group)
    covered = np.zeros(int(indices.max()) + 1 if len(indices) else 0, dtype=bool)
    sizes = np.diff(indptr)

    def gain(i: int) -> int:
        return int((~covered[indices[indptr[i] : indptr[i + 1]]]).sum())

    picks: list[int] = []
    gains: list[int] = []
    if lazy:
        live = np.flatnonzero(sizes > 0)  # the heap's tuples built from lists, not per index
        heap = list(zip((-sizes[live]).tolist(), (-prio[live]).tolist(), live.tolist(),
                        [0] * len(live), strict=True))  # fmt: skip
        heapq.heapify(heap)
        while heap and len(picks) < budget:
            neg, negp, i, stamp = heapq.heappop(heap)
            if not quota.allowed(i):
                continue  # its group is full (or the budget left is owed to other groups)
            if stamp == len(picks):  # gain is fresh: nothing was picked since it was computed
                picks.append(i)
                gains.append(-neg)
                covered[indices[indptr[i] : indptr[i + 1]]] = True
                quota.take(i)
                continue
            g = gain(i)
            if g > 0:
                heapq.heappush(heap, (-g, negp, i, len(picks)))
    else:  # every gain recomputed each round, in one pass over the CSR
        alive = sizes > 0
        starts = np.minimum(indptr[:-1], max(len(indices) - 1, 0))
        while len(picks) < budget and len(indices):
            fresh = np.add.reduceat((~covered[indices]).astype(np.int64), starts)
            fresh = np.where(sizes > 0, fresh, 0)
            ok = alive & (fresh > 0)
            ok &= quota.mask()
            if not ok.any():
                break
            cand = np.flatnonzero(ok)
            best = int(cand[np.lexsort((cand, -prio[cand], -fresh[cand]))[0]])
            picks.append(best)
            gains.append(int(fresh[best]))
            covered[indices[indptr[best] : indptr[best + 1]]] = True
            alive[best] = False
            quota.take(best)
    return Coverage(np.asarray(picks, dtype=np.int64), np.asarray(gains, dtype=np.int64))


def quota_pick(
    order: Sequence[int] | np.ndarray,
    budget: int,
    *,
    groups: np.ndarray | None = None,
    max_per_group: int | None = None,
    min_per_group: int | None = None,
) -> np.ndarray:
    """The first ``budget`` candidates of ``order`` (best first) that fit the group quotas.

    >>> quota_pick([0, 1, 2, 3], 3, groups=np.array([1, 1, 1, 2]), max_per_group=2).tolist()
    [0, 1, 3]
    """
    order = np.asarray(order, dtype=np.int64)
    n = int(order.max()) + 1 if len(order) else 0
    quota = _Quota(groups if groups is not None else None, n, budget, max_per_group, min_per_group)
    picks: list[int] = []
    pending = list(order.tolist())
    while pending and len(picks) < budget:  # a second pass fills places a minimum reserved
        rest = []
        for i in pending:
            if len(picks) < budget and quota.allowed(i):
                picks.append(i)
                quota.take(i)
            else:
                rest.append(i)
        if len(rest) == len(pending):
            break
        pending = rest
    return np.asarray(picks, dtype=np.int64)


def coverage_stats(indptr: np.ndarray, indices: np.ndarray, picks: np.ndarray) -> dict[str, object]:
    """Audience covered by ``picks``, each pick's total / new (in order) / exclusive audience,
    and the mean overlap (mean share of a pick's audience that another pick also reaches).

    >>> indptr = np.array([0, 3, 5]); indices = np.array([0, 1, 2, 2, 3])
    >>> s = coverage_stats(indptr, indices, np.array([0, 1]))
    >>> s["covered"], s["new"].tolist(), s["exclusive"].tolist(), round(s["mean_overlap"], 3)
    (4, [3, 1], [2, 1], 0.417)
    """
    picks = np.asarray(picks, dtype=np.int64)
    if len(picks) == 0:
        z = np.zeros(0, dtype=np.int64)
        return {"covered": 0, "total": z, "new": z, "exclusive": z, "mean_overlap": 0.0}
    parts = [indices[indptr[i] : indptr[i + 1]] for i in picks]
    total = np.array([len(p) for p in parts], dtype=np.int64)
    owner = np.repeat(np.arange(len(picks)), total)
    members = np.concatenate(parts)
    uniq, first, counts = np.unique(members, return_index=True, return_counts=True)
    new = np.bincount(owner[first], minlength=len(picks))  # first occurrence = pick order
    shared = counts[np.searchsorted(uniq, members)] > 1
    exclusive = np.bincount(owner[~shared], minlength=len(picks))
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(total > 0, 1 - exclusive / total, 0.0)
    return {
        "covered": len(uniq),
        "total": total,
        "new": new.astype(np.int64),
        "exclusive": exclusive.astype(np.int64),
        "mean_overlap": float(overlap.mean()),
    }
