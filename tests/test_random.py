"""One way to seed igraph: a block that sets its generator from a seed and gives the caller's
back; sub-seeds come from numpy's SeedSequence."""

import random

import igraph as ig
import numpy as np
import pytest

import nichegraph as ng
from nichegraph._random import derive_seed, igraph_seed, spawn_seeds


def draw():
    return ig.Graph.Erdos_Renyi(40, 0.2).get_edgelist()


def test_the_callers_generator_is_restored_and_not_consumed():
    random.seed(5)
    expected = draw()  # igraph's default generator: the random module
    random.seed(5)
    with igraph_seed(1):
        inside = draw()
    assert draw() == expected  # the block neither drew from nor replaced the caller's generator
    assert inside != expected
    random.seed(5)
    with pytest.raises(RuntimeError), igraph_seed(1):
        raise RuntimeError("boom")
    assert draw() == expected  # restored on an error too


def test_nested_blocks_restore_the_enclosing_generator():
    with igraph_seed(1):
        first, second = draw(), draw()
    with igraph_seed(1):
        a = draw()
        with igraph_seed(2):
            other = draw()
        b = draw()
    assert (a, b) == (first, second) and other != b


def test_same_seed_same_segments_and_sub_seeds_are_derived():
    g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    a, b = ng.find_segments(g, seed=3), ng.find_segments(g, seed=3)
    assert np.array_equal(a.membership, b.membership) and a.params == b.params
    c = ng.find_segments(g, seed=4)
    assert c.params["seed"] == 4
    seq = np.random.SeedSequence([3, 2, 1, 1])
    assert derive_seed(3, 2, 1, 1) == int(seq.generate_state(1, dtype=np.uint32)[0])
    assert len(set(spawn_seeds(3, 10))) == 10
