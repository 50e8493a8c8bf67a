"""The ``nichegraph`` command line: a thin skin over the library.

Each command parses options, calls one library function, writes, and maps errors: bad input or
usage exits 2 with one line, any other failure exits 1 with one line, success exits 0.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .cli_options import (
    common,
    engine_options,
    flag_errors,
    graph_options,
    plan_run_options,
    reader_options,
    run_options,
    split_options,
)
from .cli_plan import plan_options
from .errors import InputError, NichegraphError

if TYPE_CHECKING:
    from .graph import GraphOptions, ReadOptions
    from .influencers import RankOptions
    from .segments import SegmentOptions

__all__ = ["PROGRESS_EVERY", "cli", "main"]

PROGRESS_EVERY = 2.0
"""Seconds between two progress lines of a stage's steps (stderr; none with --quiet)."""


def _echo_err(msg: str, quiet: bool = False) -> None:
    if not quiet:
        click.echo(msg, err=True)


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(
            f"{option} must be numbers separated by commas, e.g. 0.5,1,2; got {text!r}"
        ) from None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _wants_json(args: Any) -> bool:
    """Whether the command line asks for ``--json`` (before a ``--``)."""
    argv = list(sys.argv[1:] if args is None else args)
    argv = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in argv


def _fail(message: str, code: int, as_json: bool) -> None:
    """Report an error in one line (stderr), or as one JSON object on stdout with --json."""
    text = _one_line(message) or "unknown failure"
    if as_json:
        click.echo(json.dumps({"error": text, "exit_code": code}))
    else:
        click.echo(f"Error: {text}", err=True)
    sys.exit(code)


class _Cli(click.Group):
    """A click group whose errors are one line: exit 2 bad input/usage, 1 other failures.

    With ``--json`` an error is one JSON object ``{"error": ..., "exit_code": ...}`` on stdout
    (where the result would have been) and nothing on stderr.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        as_json = _wants_json(args[0] if args else kwargs.get("args"))
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail("aborted", 1, as_json)
        except click.ClickException as exc:  # bad option values, missing arguments
            _fail(exc.format_message(), 2 if exc.exit_code == 2 else 1, as_json)
        except InputError as exc:
            _fail(str(exc), 2, as_json)
        except MemoryError as exc:
            _fail(str(exc) or _OUT_OF_MEMORY, 1, as_json)
        except (NichegraphError, OSError) as exc:
            _fail(str(exc), 1, as_json)
        except KeyboardInterrupt:
            _fail("interrupted", 130, as_json)
        except Exception as exc:  # unexpected: still one line, exit 1
            _fail(
                f"internal failure ({type(exc).__name__}: {_one_line(exc)}); please report it",
                1,
                as_json,
            )
        sys.exit(code if isinstance(code, int) else 0)  # 3: --fail-on alerts fired


_OUT_OF_MEMORY = (
    "out of memory; try a shorter window (--since/--until), fewer input files, or more memory"
)


@click.group(
    cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="nichegraph")
def cli() -> None:
    """Find the micro-segments of an audience and the people who move each one.

    Start with `nichegraph run LOG -o OUTDIR`; `nichegraph inspect LOG` shows how a log is read.
    """


def export_options(fn: Any) -> Any:
    """--export, --output-format (``run``, ``plan``)."""
    for option in reversed(_EXPORT_OPTIONS):
        fn = option(fn)
    return fn


_EXPORT_OPTIONS = [
    click.option(
        "--export",
        "export",
        default=None,
        metavar="FORMATS",
        help="Also write the network for Gephi and others: gexf, graphml (comma-separated).",
    ),
    click.option(
        "--output-format",
        "output_formats",
        multiple=True,
        metavar="FORMATS",
        help="How to write the tables: csv (default), parquet, xlsx; several allowed.",
    ),
]


def run_extras(fn: Any) -> Any:
    """--stability, --consensus, --people, --pseudonymise, --key-file (``run``, ``track``,
    ``plan``)."""
    for option in reversed(_RUN_EXTRAS):
        fn = option(fn)
    return fn


def tracking_options(fn: Any) -> Any:
    """--previous, --freeze-previous, --cold-start (``run`` and ``plan``)."""
    for option in reversed(_TRACKING):
        fn = option(fn)
    return fn


_RUN_EXTRAS = [
    click.option(
        "--stability",
        type=int,
        default=0,
        show_default=True,
        metavar="N",
        help="Re-run the detection N times: confidence per person, stability per segment.",
    ),
    click.option(
        "--consensus",
        is_flag=True,
        help="Use the consensus of the --stability runs (10 if not given) as the segments.",
    ),
    click.option(
        "--people",
        default=None,
        metavar="FILE",
        help="People table (CSV: person, platform, handle): each person's handles become one node.",
    ),
    click.option(
        "--pseudonymise",
        is_flag=True,
        help="Replace every handle in the outputs with a keyed hash and leave text out "
        "(key from $NICHEGRAPH_KEY or --key-file).",
    ),
    click.option(
        "--key-file", default=None, metavar="FILE", help="File holding the --pseudonymise key."
    ),
]

_TRACKING = [
    click.option(
        "--previous",
        default=None,
        metavar="RUN_DIR",
        help="A previous run folder: segments keep its ids where they match; Leiden starts from "
        "its partition; its objective, resolution and seed are used unless given.",
    ),
    click.option(
        "--freeze-previous",
        is_flag=True,
        help="With --previous: keep everyone who was in a segment there; only place newcomers.",
    ),
    click.option(
        "--cold-start",
        is_flag=True,
        help="With --previous: detect from scratch (ids are still matched).",
    ),
]


def _progress(quiet: bool) -> Any:
    """Stage progress on stderr: long stages announce, steps at most one line per interval."""
    last = [time.monotonic()]

    def progress(stage: str, event: str, seconds: float) -> None:
        now = time.monotonic()
        if event == "start":
            if stage in ("scan", "segment", "stability", "rank"):  # long stages announce
                _echo_err(f"nichegraph: {stage}…", quiet)
        elif event == "done":
            _echo_err(f"nichegraph: {stage} done in {seconds:.1f} s", quiet)
        elif now - last[0] >= PROGRESS_EVERY:  # a step: at most one line per interval
            _echo_err(f"nichegraph: {stage}: {event} ({seconds:.0f} s)", quiet)
        else:
            return
        last[0] = now

    return progress


@cli.command()
@click.option("-o", "--out", "outdir", required=True, help="Run folder to write (created).")
@run_options
@engine_options
@run_extras
@tracking_options
@export_options
@common
def run(
    data: Any,
    read: ReadOptions,
    graph: GraphOptions,
    engine: dict[str, Any],
    segment: SegmentOptions,
    jobs: int,
    rank: RankOptions,
    outdir: str,
    stability: int,
    consensus: bool,
    people: str | None,
    pseudonymise: bool,
    key_file: str | None,
    previous: str | None,
    freeze_previous: bool,
    cold_start: bool,
    export: str | None,
    output_formats: tuple[str, ...],
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Segment LOG and rank the influencers of every segment; write OUTDIR.

    LOG is a file, a folder or a glob; several are read as one log. Writes segments.csv,
    segment_summary.csv, influencers.csv, shortlist.csv, segment_profiles.csv,
    segment_flows.csv, columns.csv (the data dictionary), run.json and report.html (with
    --previous also lineage.csv and labels.csv).
    """
    from .terminal import format_run_summary

    result = _analyze(**locals(), check=lambda: None)
    if as_json:  # what run.json holds
        click.echo((Path(outdir) / "run.json").read_text(encoding="utf-8"), nl=False)
    elif not quiet:
        click.echo(format_run_summary(result, outdir))


def _analyze(
    *, data: Any, read: ReadOptions, graph: GraphOptions, engine: dict[str, Any],
    segment: SegmentOptions, jobs: int, rank: RankOptions, stability: int, consensus: bool,
    people: str | None, pseudonymise: bool, key_file: str | None, previous: str | None,
    freeze_previous: bool, cold_start: bool, export: str | None,
    output_formats: tuple[str, ...], outdir: str | None, seed: int | None, quiet: bool,
    check: Any, **_: Any,
) -> Any:  # fmt: skip
    """`run`'s and `plan`'s analysis from their shared options: checks (``check`` adds the
    command's own, before any work), the previous run's options followed, then ``analyze``."""
    from .cli_tracking import follow_previous_options
    from .export.pseudonymise import load_key
    from .pipeline import analyze, check_stability

    with flag_errors():
        check_stability(stability)
    check()
    segment, seed = follow_previous_options(previous, segment, seed, freeze_previous or cold_start)
    return analyze(
        data, read=read, graph=graph, segment=segment, rank=rank, stability=stability,
        consensus=consensus, jobs=jobs, people=people, pseudonymise=pseudonymise,
        key=load_key(key_file=key_file) if key_file is not None else None,
        previous=previous, freeze_previous=freeze_previous, warm_start=not cold_start,
        export=export, output_formats=list(output_formats) or None, **engine,
        outdir=outdir, progress=_progress(quiet), seed=seed,
    )  # fmt: skip


@cli.command()
@click.option("-o", "--out", "outdir", required=True, help="Run folder to write (created).")
@plan_run_options
@engine_options
@run_extras
@tracking_options
@plan_options
@export_options
@common
def plan(
    data: Any,
    read: ReadOptions,
    graph: GraphOptions,
    engine: dict[str, Any],
    segment: SegmentOptions,
    jobs: int,
    rank: RankOptions,
    plan_kw: dict[str, Any],
    outdir: str,
    stability: int,
    consensus: bool,
    people: str | None,
    pseudonymise: bool,
    key_file: str | None,
    previous: str | None,
    freeze_previous: bool,
    cold_start: bool,
    export: str | None,
    output_formats: tuple[str, ...],
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Plan a campaign on LOG: who to work with, in which segment, doing what; write OUTDIR.

    Takes every `run` option (its --objective is --leiden-objective here, its --score-weight
    --rank-weight) and writes everything `run` writes plus plan.csv, plan_segments.csv,
    plan_excluded.csv and plan_summary.json, in one all-or-nothing write. --previous takes a
    previous run or plan folder (tracked as by `run`; its plan.csv, if any, is compared) or a
    plan.csv.
    """
    from .cli_plan import read_previous_plan
    from .export.folder import REPLACEABLE
    from .export.plan import save_plan
    from .export.run import check_outdir
    from .plan import PLAN_FILES, check_plan_options
    from .plan import plan as make_plan
    from .terminal import format_plan

    run_dir, previous_plan = read_previous_plan(previous)

    def check() -> None:  # the plan's own options, before any work
        plan_kw["previous"] = previous_plan
        check_plan_options(**plan_kw)
        check_outdir(outdir, (*REPLACEABLE, *PLAN_FILES))

    values = {**locals(), "previous": run_dir, "outdir": None}  # the plan writes the folder
    result = _analyze(**values)
    campaign = make_plan(result, **plan_kw)
    save_plan(campaign, outdir, run=result)
    if as_json:
        click.echo(json.dumps(campaign.to_dict(), indent=2, default=str))
    elif not quiet:
        click.echo(format_plan(campaign, outdir))


@cli.command()
@click.option("-o", "--out", "outdir", required=True, help="Folder for scan.csv/png/json.")
@reader_options
@graph_options
@engine_options
@click.option(
    "--resolutions",
    default=None,
    metavar="R1,R2,...",
    help="Resolutions to try (default: 15 log-spaced from 0.1 to 10).",
)
@click.option("--runs", type=int, default=3, show_default=True, help="Runs (seeds) per resolution.")
@split_options
@common
def scan(
    data: Any,
    read: ReadOptions,
    graph: GraphOptions,
    engine: dict[str, Any],
    segment: SegmentOptions,
    jobs: int,
    outdir: str,
    resolutions: str | None,
    runs: int,
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Segment LOG over a range of resolutions and recommend one; write OUTDIR.

    Runs the same segmentation as `run` (sub-splits included unless --no-refine) --runs times
    per resolution. Writes scan.csv (resolution, segments, median and largest size, modularity,
    stability), scan.png and scan.json; `run --resolution auto` uses the recommendation.
    """
    from .export.run import check_outdir
    from .export.scan import SCAN_FILES, save_scan
    from .graph.build import build_graph
    from .graph.read import read_interactions
    from .segments.scan import scan_resolution
    from .terminal import format_scan

    grid = _floats(resolutions, "--resolutions") if resolutions is not None else None
    check_outdir(outdir, SCAN_FILES)
    if engine["edges"] is None and engine["engine"] == "pandas":
        g = build_graph(read_interactions(data, read), graph)
    else:
        from dataclasses import asdict

        from .graph.engines.load import aggregated_graph

        weigh = {k: v or None for k, v in asdict(graph).items()}
        g = aggregated_graph(data, **engine, **weigh, **asdict(read))[1]

    def progress(i: int, total: int, resolution: float) -> None:
        _echo_err(f"nichegraph: scan {i}/{total} (resolution {resolution:g}) done", quiet)

    result = scan_resolution(
        g,
        resolutions=grid,
        runs=runs,
        **segment.kwargs(resolution=False),
        progress=progress,
        seed=seed,
        jobs=jobs,
    )
    save_scan(result, outdir)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, default=str))
    elif not quiet:
        click.echo(format_scan(result))
        click.echo(f"\nwrote {outdir}/ (scan.csv, scan.png, scan.json)")


@cli.command()
@reader_options
@common
def inspect(data: Any, read: ReadOptions, seed: int | None, quiet: bool, as_json: bool) -> None:
    """Show how LOG would be read: format, mapping, rows, what is skipped, kinds, dates."""
    from .graph.read import read_interactions
    from .terminal import format_read_report

    inter = read_interactions(data, read)
    if as_json:
        click.echo(json.dumps(inter.report.to_dict(), indent=2, default=str))
    else:
        click.echo(format_read_report(inter.report))


# the commands of the other CLI modules register themselves on `cli`
from . import cli_engines, cli_outputs, cli_tracking  # noqa: E402, F401


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``nichegraph``)."""
    cli.main(args=argv, prog_name="nichegraph")
