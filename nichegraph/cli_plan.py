"""The ``plan`` command's own options: objective, budget, exclusions, segments, previous plan.

:func:`plan_options` hands the command ``plan_kw``, the keyword arguments of
:func:`nichegraph.plan`; handles may be given one by one, comma-separated, or as a file of one
handle per line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from .errors import InputError
from .graph.schema import split_pair

__all__ = ["plan_options", "read_previous_plan"]

Command = Callable[..., Any]


def read_previous_plan(previous: str | None) -> tuple[str | None, Any]:
    """``--previous``: (the run folder to track from, or None; the previous plan, or None).

    A folder is a previous run (tracked as by ``run``) whose ``plan.csv``, if any, is the
    previous plan; a file is a previous ``plan.csv`` only.
    """
    from pathlib import Path

    import pandas as pd

    if previous is None:
        return None, None
    path = Path(previous)
    run_dir, csv = (previous, path / "plan.csv") if path.is_dir() else (None, path)
    if run_dir is not None and not csv.is_file():
        return run_dir, None
    try:
        return run_dir, pd.read_csv(csv, dtype={"person": str}, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the previous plan {csv.name}: {exc}") from None


def _handles(items: tuple[str, ...]) -> list[str]:
    """Handles given on the command line; an item naming a file is read, one handle per line
    (blank lines and lines starting with ``#`` skipped)."""
    from pathlib import Path

    out: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_file():
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read handles from {item}: {exc}") from None
            out += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        else:
            out += [h.strip() for h in item.split(",") if h.strip()]
    return out


def _segment_items(items: tuple[str, ...]) -> list[str] | None:
    got = [s.strip() for item in items for s in item.split(",") if s.strip()]
    return got or None


_HANDLE_OPTIONS = (
    ("brand", "The brand's own accounts (kept in the graph, never picked)"),
    ("exclude", "People never to pick"),
    ("competitors", "Competitors' accounts, never picked"),
    ("keep", "People no exclusion rule removes"),
)


def plan_options(fn: Command) -> Command:
    """Campaign plan options; the command receives ``plan_kw`` for :func:`nichegraph.plan`."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        plan_objective: str,
        budget: int,
        brand: tuple[str, ...],
        exclude: tuple[str, ...],
        competitors: tuple[str, ...],
        keep: tuple[str, ...],
        customers: str | None,
        target_segments: tuple[str, ...],
        segments: tuple[str, ...],
        top_segments: int | None,
        per_segment: int | None,
        min_per_segment: int | None,
        max_reach: str | None,
        min_reach: int,
        plan_weights: tuple[str, ...],
        **kw: Any,
    ) -> Any:
        weights = [split_pair(w, "--score-weight", "MEASURE=W", "reach=0.5") for w in plan_weights]
        kw["plan_kw"] = {
            "objective": plan_objective,
            "budget": budget,
            "brand": _handles(brand),
            "exclude": _handles(exclude),
            "competitors": _handles(competitors),
            "keep": _handles(keep),
            "customers": _handles((customers,)) if customers else None,
            "target_segments": _segment_items(target_segments),
            "segments": _segment_items(segments),
            "top_segments": top_segments,
            "per_segment": per_segment,
            "min_per_segment": min_per_segment,
            "max_reach": max_reach,
            "min_reach": min_reach,
            "score_weights": dict(weights) or None,
        }
        return fn(*args, **kw)

    handles = "handle or FILE of one handle per line; repeatable"
    options = [
        click.option(
            "--objective",
            "plan_objective",
            type=click.Choice(["awareness", "support", "reputation", "leads"]),
            default="awareness",
            show_default=True,
            help="Campaign objective: sets the score weights, the pick and the metric.",
        ),
        click.option(
            "--budget",
            type=int,
            default=20,
            show_default=True,
            metavar="K",
            help="People to pick.",
        ),
        *(
            click.option(f"--{name}", multiple=True, metavar="HANDLE", help=f"{text}; {handles}.")
            for name, text in _HANDLE_OPTIONS
        ),
        click.option(
            "--customers",
            default=None,
            metavar="FILE",
            help="Known customers, one handle per line: marked like advocates.",
        ),
        click.option(
            "--target-segments",
            multiple=True,
            metavar="IDS",
            help="Segments (ids or labels, comma-separated) the campaign wants to "
            "reach; needed for leads.",
        ),
        click.option(
            "--segments",
            multiple=True,
            metavar="IDS",
            help="Plan only in these segments (ids or labels, comma-separated).",
        ),
        click.option(
            "--top-segments",
            type=int,
            default=None,
            metavar="N",
            help="Plan only in the N segments that matter most for the objective.",
        ),
        click.option(
            "--per-segment",
            type=int,
            default=None,
            metavar="MAX",
            help="At most MAX picks per segment (support/reputation default: an "
            "even share of the budget).",
        ),
        click.option(
            "--min-per-segment",
            type=int,
            default=None,
            metavar="MIN",
            help="At least MIN picks in every targeted segment (if it has them).",
        ),
        click.option(
            "--max-reach",
            default=None,
            metavar="N|P%",
            help="Celebrity limit: audience above N people or P% of everyone "
            "(default: 3x the segment leaders' median, mostly outside).",
        ),
        click.option(
            "--min-reach",
            type=int,
            default=2,
            show_default=True,
            help="Never pick people with fewer distinct engagers.",
        ),
        click.option(
            "--score-weight",
            "plan_weights",
            multiple=True,
            metavar="MEASURE=W",
            help="Override an objective weight, e.g. --score-weight reach=0.5.",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper
