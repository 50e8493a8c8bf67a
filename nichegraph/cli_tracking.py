"""The ``compare`` and ``track`` commands, and how ``run --previous`` follows the previous run.

Registered on the ``nichegraph`` group by :mod:`nichegraph.cli`; like every command they parse,
call one library function, write, and map errors (``--fail-on``: exit 3 after writing).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import click

from .cli import _echo_err, cli, run_extras
from .cli_options import common, run_options

if TYPE_CHECKING:
    from .graph import GraphOptions, ReadOptions
    from .influencers import RankOptions
    from .segments import SegmentOptions

__all__ = ["compare", "follow_previous_options", "track"]


def follow_previous_options(
    previous: str | None, segment: SegmentOptions, seed: int | None, flags: bool
) -> tuple[SegmentOptions, int | None]:
    """The objective, resolution and seed of ``--previous`` where the user gave none."""
    if previous is None:
        if flags:
            raise click.UsageError("--freeze-previous and --cold-start need --previous RUN_DIR")
        return segment, seed
    from .tracking.runs import read_run
    from .tracking.warmstart import previous_options

    ctx = click.get_current_context()
    followed = {
        k: v
        for k, v in previous_options(read_run(previous)).items()
        if ctx.get_parameter_source(k) in (None, click.core.ParameterSource.DEFAULT)
    }
    seed = followed.pop("seed", seed)
    return dataclasses.replace(segment, **followed), seed


def _fail_on(level: str | None, alerts: Any, quiet: bool) -> None:
    """``--fail-on``: exit 3 (after everything was written) when such an alert fired."""
    from .tracking.alerts import severity_at_least

    if level is not None and severity_at_least(alerts, level):
        _echo_err(f"nichegraph: alerts at {level} or above fired; exit 3", quiet)
        raise click.exceptions.Exit(3)


def alert_options(fn: Any) -> Any:
    """--rules and --fail-on."""
    fn = click.option(
        "--fail-on",
        type=click.Choice(["warn", "crit"]),
        default=None,
        help="Exit 3 after writing everything when an alert of this severity or above fired.",
    )(fn)
    return click.option(
        "--rules", default=None, metavar="FILE", help="TOML file overriding alert thresholds."
    )(fn)


@cli.command()
@click.argument("run_a", metavar="RUN_A")
@click.argument("run_b", metavar="RUN_B")
@click.option("-o", "--out", "outdir", required=True, help="Folder for the comparison files.")
@alert_options
@common
def compare(
    run_a: str,
    run_b: str,
    outdir: str,
    rules: str | None,
    fail_on: str | None,
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Compare run folder RUN_A (before) with RUN_B (after); write OUTDIR.

    Writes segment_changes.csv, influencer_changes.csv, people_moves.csv, alerts.csv,
    compare.json and report.html (RUN_B's report with the changes and the alerts).
    """
    from .export.run import check_outdir
    from .export.tracking import COMPARE_FILES, write_compare
    from .report import load_run_folder
    from .tracking.alerts import load_rules
    from .tracking.compare import compare_runs

    check_outdir(outdir, (*COMPARE_FILES, "report.html"))
    result = compare_runs(run_a, run_b, rules=load_rules(rules))
    write_compare(result, outdir, after=load_run_folder(run_b))
    if as_json:
        click.echo(json.dumps(result.summary, indent=2, default=str))
    elif not quiet:
        ev = ", ".join(f"{k} {v}" for k, v in result.summary["events"].items() if v)
        click.echo(f"segments: {ev or 'none'}")
        click.echo(f"alerts: {len(result.alerts)}; wrote {outdir}/")
    _fail_on(fail_on, result.alerts, quiet)


@cli.command()
@click.option("-o", "--out", "outdir", required=True, help="Track folder to write (created).")
@click.option("--window", default="7d", show_default=True, help="Window length, e.g. 7d, 1d, 12h.")
@click.option("--step", default=None, help="Step between window starts (default: --window).")
@click.option(
    "--brand",
    multiple=True,
    metavar="HANDLE",
    help="A brand account whose engagement is watched (brand_spike alerts); repeatable.",
)
@click.option(
    "--labelled", type=int, default=8, show_default=True, help="Segments labelled in timeline.png."
)
@run_options
@run_extras
@click.option(
    "--freeze-previous",
    is_flag=True,
    help="Keep everyone who was in a segment in the window before there; only place newcomers.",
)
@click.option(
    "--cold-start",
    is_flag=True,
    help="Detect each window from scratch (ids are still matched).",
)
@alert_options
@common
def track(
    data: Any,
    read: ReadOptions,
    graph: GraphOptions,
    segment: SegmentOptions,
    jobs: int,
    rank: RankOptions,
    outdir: str,
    window: str,
    step: str | None,
    brand: tuple[str, ...],
    labelled: int,
    stability: int,
    consensus: bool,
    people: str | None,
    pseudonymise: bool,
    key_file: str | None,
    freeze_previous: bool,
    cold_start: bool,
    rules: str | None,
    fail_on: str | None,
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Segment LOG window by window with persistent segment ids; write OUTDIR.

    One seeded run per window, each started from the one before. Writes timeline.csv,
    timeline.png, windows.csv, alerts.csv, lineage.csv, track.json, every window's run folder
    (windows/NN/) and its comparison with the window before (compare/NN/).
    """
    from .export.pseudonymise import load_key
    from .export.run import check_outdir
    from .export.tracking import TRACK_FILES
    from .tracking.alerts import load_rules
    from .tracking.track import track_log

    if graph.since or graph.until:
        raise click.UsageError("track makes its own windows; drop --since / --until")
    check_outdir(outdir, TRACK_FILES)

    def progress(i: int, total: int, end: str) -> None:
        _echo_err(f"nichegraph: window {i}/{total} (to {end}) done", quiet)

    result = track_log(
        data, window=window, step=step, rules=load_rules(rules), brand=brand,
        warm_start=not cold_start, freeze_previous=freeze_previous, progress=progress,
        read=read, graph=graph, segment=segment, rank=rank, stability=stability, jobs=jobs,
        consensus=consensus, people=people, pseudonymise=pseudonymise,
        key=load_key(key_file=key_file) if key_file is not None else None, seed=seed,
    )  # fmt: skip
    result.save(outdir, top=labelled)
    if as_json:
        click.echo(json.dumps(result.summary, indent=2, default=str))
    elif not quiet:
        click.echo(result.windows.to_string(index=False))
        click.echo(f"alerts: {len(result.alerts)}; wrote {outdir}/")
    _fail_on(fail_on, result.alerts, quiet)
