"""The ``report``, ``export`` and ``datasets`` commands: re-render a run's page, write its
network for Gephi/igraph/Cytoscape, list the shipped samples.

Registered on the ``nichegraph`` group by :mod:`nichegraph.cli`.
"""

from __future__ import annotations

import json

import click

from .cli import cli
from .cli_options import common
from .errors import InputError

__all__ = ["datasets", "export", "report"]


@cli.command()
@click.argument("run_dir", metavar="RUN_DIR")
@click.option("--cards", type=int, default=50, show_default=True, help="Segments that get a card.")
@common
def report(run_dir: str, cards: int, seed: int | None, quiet: bool, as_json: bool) -> None:
    """Render RUN_DIR/report.html again from the run folder's files.

    Adds the plan, changes and alerts when the folder holds them.
    """
    from pathlib import Path

    from .export.csv import atomic_write
    from .report import REPORT_FILE, load_run_folder, render_report

    html = render_report(load_run_folder(run_dir), cards=cards)
    path = atomic_write(Path(run_dir) / REPORT_FILE, html)
    if as_json:
        click.echo(json.dumps({"report": str(path), "bytes": len(html.encode("utf-8"))}))
    elif not quiet:
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("run_dir", metavar="RUN_DIR")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gexf", "graphml"]),
    required=True,
    help="gexf (Gephi) or graphml (igraph, Cytoscape, yEd).",
)
@click.option("-o", "--out", "out", required=True, metavar="FILE", help="File to write.")
@click.option(
    "--log", default=None, metavar="LOG", help="The run's log, if not at its recorded path."
)
@common
def export(
    run_dir: str, fmt: str, out: str, log: str | None, seed: int | None, quiet: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Write the network of RUN_DIR with its segments, roles and scores as GEXF or GraphML.

    The run's log is read and aggregated again with the run's options (segments are not
    recomputed); people carry segment, path, segment_label, role, score and rank.
    """
    from pathlib import Path

    from .export.graphs import graph_tables_from_run
    from .export.graphxml import write_graph

    target = Path(out)
    if target.is_dir():
        raise InputError(f"-o {out} is a folder; name the file to write, e.g. -o network.{fmt}")
    tables = graph_tables_from_run(run_dir, log=log)
    target.parent.mkdir(parents=True, exist_ok=True)
    path = write_graph(tables, target, fmt)
    if as_json:
        click.echo(json.dumps({"file": str(path), "nodes": len(tables.nodes),
                               "edges": len(tables.edges)}))  # fmt: skip
    elif not quiet:
        click.echo(f"wrote {path} ({len(tables.nodes):,} people, {len(tables.edges):,} ties)")


@cli.command()
@common
def datasets(seed: int | None, quiet: bool, as_json: bool) -> None:
    """List the sample datasets shipped with nichegraph (run one by name: `run brand_chatter`)."""
    from .samples import list_datasets

    frame = list_datasets()
    frame["path"] = frame["path"].astype(str)
    if as_json:
        click.echo(frame.to_json(orient="records", indent=2))
        return
    for row in frame.itertuples(index=False):
        click.echo(f"{row.name}  ({row.rows:,} rows)  {row.description}\n  path: {row.path}")
