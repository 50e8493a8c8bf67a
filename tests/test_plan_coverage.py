"""Budgeted coverage: known answers, brute force on random instances, quotas."""

import itertools
import math

import numpy as np
import pytest

from nichegraph.plan.coverage import audience_csr, coverage_stats, max_coverage, quota_pick


def _csr(sets):
    indptr = np.cumsum([0] + [len(s) for s in sets])
    indices = np.concatenate([np.asarray(s, dtype=np.int64) for s in sets]) if sets else []
    return indptr, np.asarray(indices, dtype=np.int64)


def _brute(sets, budget):
    best = 0
    for combo in itertools.combinations(range(len(sets)), min(budget, len(sets))):
        best = max(best, len(set().union(*(set(sets[i]) for i in combo))))
    return best


@pytest.mark.parametrize("lazy", [True, False])
def test_classic_instance_greedy_gets_7_of_8(lazy):
    sets = [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 4, 5, 6]]
    cov = max_coverage(*_csr(sets), 2, lazy=lazy)
    assert cov.picks.tolist() == [2, 0]
    assert cov.covered == 7 and cov.gains.tolist() == [5, 2]
    assert _brute(sets, 2) == 8


def test_random_instances_against_brute_force_and_exact_greedy():
    gen = np.random.default_rng(0)
    worst = 1.0
    for _ in range(60):
        n_sets, universe, budget = gen.integers(4, 9), gen.integers(6, 30), gen.integers(1, 5)
        sets = [
            sorted(set(gen.integers(0, universe, gen.integers(1, 9)).tolist()))
            for _ in range(n_sets)
        ]
        prio = gen.random(n_sets)
        lazy = max_coverage(*_csr(sets), int(budget), priority=prio)
        exact = max_coverage(*_csr(sets), int(budget), priority=prio, lazy=False)
        assert lazy.picks.tolist() == exact.picks.tolist()
        assert lazy.gains.tolist() == exact.gains.tolist()
        covered = len(set().union(*(set(sets[i]) for i in lazy.picks)))
        assert covered == lazy.covered
        worst = min(worst, lazy.covered / _brute(sets, int(budget)))
    assert worst >= 1 - 1 / math.e


def test_twin_hubs_with_one_audience_and_a_bridge():
    # 0 and 1: twin hubs, the same 6 people; 2: a bridge reaching 4 others
    sets = [[10, 11, 12, 13, 14, 15], [10, 11, 12, 13, 14, 15], [20, 21, 22, 23]]
    indptr, indices = _csr(sets)
    top2_by_reach = coverage_stats(indptr, indices, np.array([0, 1]))
    cov = max_coverage(indptr, indices, 2)
    assert sorted(cov.picks.tolist()) == [0, 2]
    assert top2_by_reach["covered"] == 6 < cov.covered == 10
    # a third pick adds nothing: the other twin is never picked
    assert max_coverage(indptr, indices, 3).picks.tolist() == cov.picks.tolist()


def test_quotas_cap_and_guarantee_picks_per_group():
    sets = [[0, 1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11], [12, 13], [14]]
    groups = np.array([1, 1, 1, 2, 3])
    cov = max_coverage(*_csr(sets), 3, groups=groups, max_per_group=2)
    assert cov.picks.tolist() == [0, 1, 3]
    cov = max_coverage(*_csr(sets), 3, groups=groups, min_per_group=1)
    assert sorted(groups[cov.picks].tolist()) == [1, 2, 3]
    assert quota_pick([0, 1, 2, 3, 4], 3, groups=groups, min_per_group=1).tolist() == [0, 3, 4]


def test_audience_csr_and_stats():
    indptr, indices = audience_csr(np.array([0, 0, 2, 0]), np.array([3, 1, 1, 3]), 3)
    assert indptr.tolist() == [0, 2, 2, 3] and indices.tolist() == [1, 3, 1]
    stats = coverage_stats(indptr, indices, np.array([0, 2]))
    assert stats["covered"] == 2
    assert stats["new"].tolist() == [2, 0] and stats["exclusive"].tolist() == [1, 0]
    assert stats["mean_overlap"] == pytest.approx((0.5 + 1.0) / 2)
