"""The ``nichegraph`` command line: a thin skin over the library.

Each command parses options, calls one library function, writes, and maps errors: bad input or
usage exits 2 with one line, any other failure exits 1 with one line, success exits 0.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import InputError, NichegraphError

__all__ = ["cli", "main"]


def _echo_err(msg: str, quiet: bool = False) -> None:
    if not quiet:
        click.echo(msg, err=True)


def _pairs(items: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise InputError(f"{option} {item!r} is not NAME=VALUE")
        out[key.strip()] = val.strip()
    return out


def common(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command has: --seed, --quiet, --json."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(fn)
    fn = click.option("--quiet", "-q", is_flag=True, help="No progress or summary on stderr.")(fn)
    fn = click.option(
        "--seed", type=int, default=None, help="Random seed (default 42); same seed, same output."
    )(fn)
    return fn


def reader_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options that say how to read a log."""
    fn = click.option(
        "--encoding", default="utf-8", show_default=True, help="Text encoding of CSV/TSV logs."
    )(fn)
    fn = click.option(
        "--sep", default=None, help="Field separator (default: from the extension, else sniffed)."
    )(fn)
    fn = click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="CANONICAL=COLUMN",
        help="Use a file column as a canonical one, e.g. --map source=from_user.",
    )(fn)
    return fn


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Cli(click.Group):
    """A click group whose errors are one line: exit 2 bad input/usage, 1 other failures."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:  # bad option values, missing arguments
            click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
            sys.exit(2 if exc.exit_code == 2 else 1)
        except InputError as exc:
            click.echo(f"Error: {_one_line(exc)}", err=True)
            sys.exit(2)
        except (NichegraphError, OSError, MemoryError) as exc:
            click.echo(f"Error: {_one_line(exc)}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # unexpected: still one line, exit 1
            click.echo(
                f"Error: internal failure ({type(exc).__name__}: {_one_line(exc)}); "
                "please report it",
                err=True,
            )
            sys.exit(1)
        sys.exit(0)


@click.group(
    cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="nichegraph")
def cli() -> None:
    """Find the micro-segments of an audience and the people who move each one.

    Start with `nichegraph run LOG -o OUTDIR`; `nichegraph inspect LOG` shows how a log is read.
    """


@cli.command()
@click.argument("log")
@click.option("-o", "--out", "outdir", required=True, help="Run folder to write (created).")
@reader_options
@click.option(
    "--weight",
    "kind_weights",
    multiple=True,
    metavar="KIND=W",
    help="Weight of one interaction of a kind, e.g. --weight reply=3.",
)
@click.option("--half-life", default=None, help="Time decay half-life, e.g. 30d, 12h, 2w.")
@click.option("--since", default=None, help="Keep interactions at or after this date.")
@click.option("--until", default=None, help="Keep interactions before this date.")
@click.option(
    "--objective",
    type=click.Choice(["modularity", "cpm"]),
    default="modularity",
    show_default=True,
    help="Leiden quality function.",
)
@click.option(
    "--resolution",
    type=float,
    default=1.0,
    show_default=True,
    help="Leiden resolution (higher = smaller segments).",
)
@click.option(
    "--min-gain",
    type=float,
    default=0.1,
    show_default=True,
    help="Modularity a sub-split must gain over a random graph with the same degrees.",
)
@click.option(
    "--no-refine",
    is_flag=True,
    help="Keep Leiden's communities as they are (no structure-tested sub-splits).",
)
@click.option(
    "--max-size",
    type=int,
    default=None,
    help="Hard cap: split segments above this size, structure or not.",
)
@click.option(
    "--min-size",
    type=int,
    default=5,
    show_default=True,
    help="Segments smaller than this go to the fringe.",
)
@click.option(
    "--backend",
    type=click.Choice(["igraph", "leidenalg"]),
    default="igraph",
    show_default=True,
    help="Leiden implementation.",
)
@click.option(
    "--score-weight",
    "score_weights",
    multiple=True,
    metavar="MEASURE=W",
    help="Composite score weight, e.g. --score-weight betweenness=0.3.",
)
@click.option(
    "--top", type=int, default=10, show_default=True, help="People per segment in shortlist.csv."
)
@common
def run(
    log: str,
    outdir: str,
    maps: tuple[str, ...],
    sep: str | None,
    encoding: str,
    kind_weights: tuple[str, ...],
    half_life: str | None,
    since: str | None,
    until: str | None,
    objective: str,
    resolution: float,
    min_gain: float,
    no_refine: bool,
    max_size: int | None,
    min_size: int,
    backend: str,
    score_weights: tuple[str, ...],
    top: int,
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Segment LOG and rank the influencers of every segment; write OUTDIR.

    Writes segments.csv, segment_summary.csv, influencers.csv, shortlist.csv and run.json.
    """
    from .graph.build import parse_kind_weights
    from .graph.schema import parse_mapping
    from .pipeline import analyze
    from .terminal import print_run_summary

    def progress(stage: str, event: str, seconds: float) -> None:
        if event == "start":
            if stage in ("segment", "rank"):  # the long stages announce themselves
                _echo_err(f"nichegraph: {stage}…", quiet)
        else:
            _echo_err(f"nichegraph: {stage} done in {seconds:.1f} s", quiet)

    result = analyze(
        log,
        mapping=parse_mapping(maps),
        sep=sep,
        encoding=encoding,
        kind_weights=parse_kind_weights(kind_weights) if kind_weights else None,
        half_life=half_life,
        since=since,
        until=until,
        objective=objective,
        resolution=resolution,
        min_gain=None if no_refine else min_gain,
        max_size=max_size,
        min_size=min_size,
        backend=backend,
        score_weights={k: float(v) for k, v in _pairs(score_weights, "--score-weight").items()}
        if score_weights
        else None,
        top=top,
        outdir=outdir,
        progress=progress,
        seed=seed,
    )
    if as_json:
        click.echo(json.dumps(result.manifest(), indent=2, default=str))
    elif not quiet:
        print_run_summary(result, outdir)


@cli.command()
@click.argument("log")
@reader_options
@common
def inspect(
    log: str,
    maps: tuple[str, ...],
    sep: str | None,
    encoding: str,
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Show how LOG would be read: format, columns, rows, kinds, dates, problems."""
    from .graph.read import read_interactions
    from .graph.schema import parse_mapping
    from .terminal import print_read_report

    inter = read_interactions(log, mapping=parse_mapping(maps), sep=sep, encoding=encoding)
    if as_json:
        click.echo(json.dumps(inter.report.to_dict(), indent=2, default=str))
    else:
        print_read_report(inter.report)


@cli.command()
@common
def datasets(seed: int | None, quiet: bool, as_json: bool) -> None:
    """List the sample datasets shipped with nichegraph."""
    from .samples import list_datasets

    frame = list_datasets()
    if as_json:
        click.echo(frame.to_json(orient="records", indent=2))
    else:
        click.echo(frame.to_string(index=False))


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``nichegraph``)."""
    cli.main(args=argv, prog_name="nichegraph")
