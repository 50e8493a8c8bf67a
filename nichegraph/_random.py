"""The one place that turns a seed into randomness (never the global random state)."""

from __future__ import annotations

import numpy as np

from .errors import InputError

__all__ = ["DEFAULT_SEED", "check_seed", "rng", "spawn_seeds"]

DEFAULT_SEED = 42


def check_seed(seed: int | None) -> int:
    """Return ``seed`` as a non-negative int (``None`` means :data:`DEFAULT_SEED`)."""
    if seed is None:
        return DEFAULT_SEED
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def rng(seed: int | None) -> np.random.Generator:
    """A numpy Generator for ``seed``."""
    return np.random.default_rng(check_seed(seed))


def spawn_seeds(seed: int | None, n: int) -> list[int]:
    """``n`` independent child seeds derived from one root seed."""
    seq = np.random.SeedSequence(check_seed(seed))
    return [int(s.generate_state(1, dtype=np.uint32)[0]) for s in seq.spawn(n)]
