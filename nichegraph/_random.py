"""The one place that turns a seed into randomness (never the global random state).

Seeds of sub-steps are derived from one root seed through :class:`numpy.random.SeedSequence`
(:func:`spawn_seeds` for repeated runs, :func:`derive_seed` for a named place); igraph's
randomised routines run inside :func:`igraph_seed`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["DEFAULT_SEED", "check_seed", "derive_seed", "igraph_seed", "rng", "spawn_seeds"]

DEFAULT_SEED = 42


def check_seed(seed: int | None) -> int:
    """Return ``seed`` as a non-negative int (``None`` means :data:`DEFAULT_SEED`).

    >>> check_seed(None), check_seed(7)
    (42, 7)
    """
    if seed is None:
        return DEFAULT_SEED
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def rng(seed: int | None) -> np.random.Generator:
    """A numpy Generator for ``seed``.

    >>> float(rng(1).random()) == float(rng(1).random())
    True
    """
    return np.random.default_rng(check_seed(seed))


def spawn_seeds(seed: int | None, n: int) -> list[int]:
    """``n`` independent child seeds derived from one root seed.

    >>> len(set(spawn_seeds(1, 3))), spawn_seeds(1, 3) == spawn_seeds(1, 3)
    (3, True)
    """
    seq = np.random.SeedSequence(check_seed(seed))
    return [int(s.generate_state(1, dtype=np.uint32)[0]) for s in seq.spawn(n)]


def derive_seed(seed: int | None, *keys: int) -> int:
    """The seed of the place ``keys`` names under a root seed (independent of run order).

    >>> derive_seed(1, 2, 3) == derive_seed(1, 2, 3) != derive_seed(1, 3, 2)
    True
    """
    seq = np.random.SeedSequence([check_seed(seed), *(int(k) for k in keys)])
    return int(seq.generate_state(1, dtype=np.uint32)[0])


# igraph has a setter for its generator but no getter: the generators set through
# igraph_seed are kept here, on top of igraph's default (the ``random`` module).
_IGRAPH_GENERATORS: list[Any] = [random]


@contextmanager
def igraph_seed(seed: int | None) -> Iterator[random.Random]:
    """igraph draws from ``random.Random(seed)`` inside the block; afterwards it draws from the
    generator it used before (igraph's default, or an enclosing block's).

    >>> import igraph as ig
    >>> with igraph_seed(3):
    ...     a = ig.Graph.Erdos_Renyi(30, 0.2).get_edgelist()
    >>> with igraph_seed(3):
    ...     b = ig.Graph.Erdos_Renyi(30, 0.2).get_edgelist()
    >>> a == b
    True
    """
    import igraph as ig

    generator = random.Random(check_seed(seed))
    _IGRAPH_GENERATORS.append(generator)
    ig.set_random_number_generator(generator)
    try:
        yield generator
    finally:
        _IGRAPH_GENERATORS.pop()
        ig.set_random_number_generator(_IGRAPH_GENERATORS[-1])
