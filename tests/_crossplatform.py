"""A cross-platform audience whose tightest group only exists once handles are merged.

Ten people form the group. Each has a handle on x, instagram and reddit, and on each
platform they talk in pairs only (x: 0-1, 2-3, ...; instagram: 1-2, 3-4, ..., 9-0; reddit:
i - i+5), so no platform on its own shows more than isolated pairs, each hanging off a large
background community by a stray interaction. Merged, the pairs of the three platforms are one
3-regular circulant graph C10(1, 5): a clear segment of ten. Seven background communities of
15 single-platform accounts each, with random internal interactions, fill the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP = 10
PLATFORMS = ("x", "instagram", "reddit")
PAIRS = {
    "x": [(i, i + 1) for i in range(0, GROUP, 2)],
    "instagram": [(i, (i + 1) % GROUP) for i in range(1, GROUP, 2)],
    "reddit": [(i, i + GROUP // 2) for i in range(GROUP // 2)],
}
BACKGROUND = {"x": 3, "instagram": 2, "reddit": 2}
COMMUNITY = 15


def person(i: int) -> str:
    return f"Wilhelmina Quorn {i:02d}"


def handle(platform: str, i: int) -> str:
    """The handle as the people table writes it."""
    return {"x": f"@WQuorn_{i:02d}", "instagram": f"w.quorn.gram{i:02d}",
            "reddit": f"u/WilQuornR{i:02d}"}[platform]  # fmt: skip


def in_log(platform: str, i: int, variant: int) -> str:
    """The handle as the log writes it: two notations on x and reddit."""
    if platform == "x":
        return f"wquorn_{i:02d}" if variant else f"@WQuorn_{i:02d}"
    if platform == "reddit":
        return f"WilQuornR{i:02d}" if variant else f"/u/wilquornr{i:02d}"
    return f"w.quorn.gram{i:02d}"


def people_table() -> pd.DataFrame:
    rows = [(person(i), p, handle(p, i)) for i in range(GROUP) for p in PLATFORMS]
    return pd.DataFrame(rows, columns=["person", "platform", "handle"])


def make_log(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, str, str, str]] = []
    for p in PLATFORMS:
        for c in range(BACKGROUND[p]):
            members = [f"{p[:3]}zz{c}k{j:02d}" for j in range(COMMUNITY)]
            for _ in range(COMMUNITY * 8):
                a, b = rng.choice(COMMUNITY, size=2, replace=False)
                rows.append((members[a], members[b], "reply", p, f"hello {members[b]}"))
        for a, b in PAIRS[p]:
            for k in range(4):
                rows.append((in_log(p, a, k % 2), in_log(p, b, k % 2), "reply", p, "hi"))
                rows.append((in_log(p, b, k % 2), in_log(p, a, k % 2), "reply", p,
                             f"@{in_log(p, a, 1)} thanks"))  # fmt: skip
        for i in range(GROUP):  # one stray interaction with a background account
            c = int(rng.integers(BACKGROUND[p]))
            j = int(rng.integers(COMMUNITY))
            rows.append((f"{p[:3]}zz{c}k{j:02d}", in_log(p, i, 0), "mention", p, "see"))
    return pd.DataFrame(rows, columns=["source", "target", "kind", "platform", "text"])


def all_handles() -> set[str]:
    """Every string that names someone in the log or the people table."""
    log = make_log()
    names = set(log["source"]) | set(log["target"])
    table = people_table()
    names |= set(table["person"]) | set(table["handle"])
    names |= {h.lstrip("@").removeprefix("u/") for h in table["handle"]}
    return names
