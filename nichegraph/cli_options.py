"""Option groups shared by the ``nichegraph`` commands, one per library options class.

Each group is a decorator that adds its click options and hands the command the options
object it built: ``data`` and ``read`` (:class:`~nichegraph.graph.ReadOptions`), ``graph``
(:class:`~nichegraph.graph.GraphOptions`), ``segment``
(:class:`~nichegraph.segments.SegmentOptions`), ``rank``
(:class:`~nichegraph.influencers.RankOptions`); :func:`run_options` adds all four, so a new
command takes every run option with one line. The library's messages name the parameter
(``resolution must be ...``); :func:`flag_errors` turns the names into the flags (``--resolution``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from .errors import InputError

__all__ = [
    "FLAGS",
    "common",
    "engine_options",
    "flag_errors",
    "flag_message",
    "graph_options",
    "memory_options",
    "plan_run_options",
    "rank_group",
    "rank_options",
    "reader_options",
    "run_options",
    "segment_group",
    "segment_options",
    "split_options",
]

Command = Callable[..., Any]

FLAGS: dict[str, str] = {
    "header=False": "--no-header",
    "format": "--format",
    "mapping": "--map",
    "sep": "--sep",
    "encoding": "--encoding",
    "header": "--no-header",
    "columns": "--columns",
    "kind_aliases": "--kind-alias",
    "dayfirst": "--dayfirst",
    "kind_weights": "--weight",
    "half_life": "--half-life",
    "since": "--since",
    "until": "--until",
    "objective": "--objective",
    "resolution": "--resolution",
    "min_gain": "--min-gain",
    "max_size": "--max-size",
    "min_size": "--min-size",
    "backend": "--backend",
    "ties": "--ties",
    "score_weights": "--score-weight",
    "top": "--top",
    "stability": "--stability",
    "jobs": "--jobs",
}
"""The flag of every library option (field of an options class) the commands expose."""

_NAME = re.compile(
    r"(?<![\w./-])(" + "|".join(re.escape(k) for k in FLAGS) + r")(?:(=)(?=[\w'\"])|(?![\w./-]))"
)


def flag_message(message: str) -> str:
    """A library message with its option names as flags (only when it is about an option:
    it starts with one, or with ``unknown`` and one).

    >>> flag_message("resolution must be a positive number, got -1")
    '--resolution must be a positive number, got -1'
    >>> flag_message("header=False needs columns naming the fields, e.g. columns=a,b")
    '--no-header needs --columns naming the fields, e.g. --columns a,b'
    """
    first = _NAME.match(message.removeprefix("unknown "))
    if first is None:
        return message
    return _NAME.sub(lambda m: FLAGS[m.group(1)] + (" " if m.group(2) else ""), message)


@contextmanager
def flag_errors() -> Iterator[None]:
    """Re-raise an :class:`InputError` about an option with the option's flag."""
    try:
        yield
    except InputError as exc:
        raise InputError(flag_message(str(exc))) from None


def _apply(fn: Command, options: list[Callable[[Command], Command]]) -> Command:
    for option in reversed(options):
        fn = option(fn)
    return fn


def _group(
    name: str, options: list[Callable[[Command], Command]], make: Callable[[dict[str, Any]], Any]
) -> Callable[[Command], Command]:
    """A decorator adding ``options``; the command gets ``name=make(their values)`` instead."""
    params = [o(lambda: None).__click_params__[0].name for o in options]  # type: ignore[attr-defined]

    def decorator(fn: Command) -> Command:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            values = {p: kw.pop(p) for p in params}
            with flag_errors():
                built = make(values)
            if isinstance(built, dict):  # several arguments (reader: data and read)
                kw.update(built)
            else:
                kw[name] = built
            return fn(*args, **kw)

        return _apply(wrapper, options)

    return decorator


def common(fn: Command) -> Command:
    """--seed, --quiet, --json: every command has them."""
    return _apply(
        fn,
        [
            click.option(
                "--seed",
                type=int,
                default=None,
                help="Random seed (default 42); same seed, same output.",
            ),
            click.option("--quiet", "-q", is_flag=True, help="No progress or summary."),
            click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON."),
        ],
    )


def _read(v: dict[str, Any]) -> dict[str, Any]:
    from .graph.formats import ReadOptions
    from .graph.schema import parse_mapping
    from .samples import dataset_path

    logs = tuple(dataset_path(log) for log in v["logs"])  # a shipped sample by name
    read = ReadOptions(
        mapping=parse_mapping(v["maps"]),
        sep=v["sep"],
        encoding=v["encoding"],
        format=v["fmt"],
        header=not v["no_header"],
        columns=v["columns"],
        kind_aliases=list(v["kind_alias"]),
        dayfirst=v["dayfirst"],
    )
    data = None if not logs else logs[0] if len(logs) == 1 else list(logs)  # None: --edges
    return {"data": data, "read": read}


reader_options = _group(
    "read",
    [
        click.argument("logs", nargs=-1, required=False, metavar="LOG..."),
        click.option(
            "--map",
            "maps",
            multiple=True,
            metavar="CANONICAL=COLUMN",
            help="Use a file column as a canonical one, e.g. --map source=from_user.",
        ),
        click.option(
            "--sep",
            default=None,
            help="Field separator (default: from the extension, else sniffed).",
        ),
        click.option(
            "--encoding", default="utf-8", show_default=True, help="Text encoding of CSV/TSV logs."
        ),
        click.option(
            "--format",
            "fmt",
            default=None,
            metavar="FORMAT",
            help="Input format instead of detection: csv, tsv, parquet, nodexl, "
            "xapi, reddit, mastodon, json, gml, graphml, gexf, pajek, edgelist.",
        ),
        click.option(
            "--no-header",
            is_flag=True,
            help="The file has no header line; name its fields with --columns.",
        ),
        click.option(
            "--columns",
            default=None,
            metavar="NAMES",
            help="Comma-separated names of the fields, in order ('-' to ignore "
            "one), e.g. source,target,timestamp,kind; with --no-header, required.",
        ),
        click.option(
            "--kind-alias",
            "kind_alias",
            multiple=True,
            metavar="CODE=KIND",
            help="Read an interaction code as a kind, e.g. --kind-alias QT=quote.",
        ),
        click.option(
            "--dayfirst/--monthfirst",
            default=None,
            help="Order of numeric dates such as 03/06/2026 (default: settled per column "
            "by a value that reads one way only, e.g. 28/06/2026; error if none does).",
        ),
    ],
    _read,
)
"""LOG... and how to read them; the command receives ``data`` and ``read`` (ReadOptions)."""


def _graph(v: dict[str, Any]) -> Any:
    from .graph.build import GraphOptions

    return GraphOptions(kind_weights=list(v["kind_weights"]), **{
        k: v[k] for k in ("half_life", "since", "until")
    })  # fmt: skip


graph_options = _group(
    "graph",
    [
        click.option(
            "--weight",
            "kind_weights",
            multiple=True,
            metavar="KIND=W",
            help="Weight of one interaction of a kind, e.g. --weight reply=3.",
        ),
        click.option("--half-life", default=None, help="Time decay half-life, e.g. 30d, 12h, 2w."),
        click.option("--since", default=None, help="Keep interactions at or after this date."),
        click.option("--until", default=None, help="Keep interactions before this date."),
    ],
    _graph,
)
"""How to weigh and window interactions; the command receives ``graph`` (GraphOptions)."""


def _engine(v: dict[str, Any]) -> dict[str, Any]:
    return {"engine": v}


memory_options = [
    click.option(
        "--memory-limit",
        default=None,
        metavar="SIZE",
        help="Memory cap of the DuckDB engine, e.g. 1GiB; it spills to --temp-dir.",
    ),
    click.option(
        "--temp-dir",
        default=None,
        metavar="DIR",
        help="Folder for the engine's spill files (default: the system's).",
    ),
]

engine_options = _group(
    "engine",
    [
        click.option(
            "--edges",
            default=None,
            metavar="PATH",
            help="Pre-aggregated edge table (file or folder of parts: source, target, weight, "
            "n, n_KIND) instead of LOG.",
        ),
        click.option(
            "--engine",
            type=click.Choice(["pandas", "duckdb"]),
            default="pandas",
            show_default=True,
            help="Aggregate LOG in memory (pandas) or out of core (duckdb: no segment profiles).",
        ),
        *memory_options,
    ],
    _engine,
)
"""Where the graph comes from: LOG in memory, LOG out of core (DuckDB) or an edge table; the
command receives ``engine`` (a dict of ``analyze``'s ``edges``, ``engine``, ``memory_limit``,
``temp_dir``)."""


def _choice(flag: str, values: tuple[str, ...], text: str) -> Callable[[Command], Command]:
    """An option taking one of ``values`` (the first is the default)."""
    return click.option(
        flag, type=click.Choice(values), default=values[0], show_default=True, help=text
    )


_SPLIT = [
    click.option(
        "--min-gain",
        type=float,
        default=0.1,
        show_default=True,
        help="Split test: sub-segments tied by this share of the smaller one's engagement "
        "merge back.",
    ),
    click.option(
        "--no-refine",
        is_flag=True,
        help="Keep Leiden's communities as they are (no structure-tested sub-splits).",
    ),
    click.option(
        "--max-size",
        type=int,
        default=None,
        help="Hard cap: split segments above this size, structure or not.",
    ),
    click.option(
        "--min-size",
        type=int,
        default=5,
        show_default=True,
        help="Segments smaller than this go to the fringe.",
    ),
    _choice("--backend", ("igraph", "leidenalg"), "Leiden implementation."),
    _choice(
        "--ties",
        ("interactions", "weights"),
        "What a tie weighs in segmentation (and its modularity, segment quality): how often "
        "the two interacted, or the graph's weights (--weight, weight column, --half-life).",
    ),
    click.option(
        "--jobs",
        type=int,
        default=0,
        show_default=True,
        help="Processes for independent work (--stability, scan points, split levels, "
        "betweenness, the profiles beside the ranking); 0: every core (for the last two: when "
        "other processes leave one idle). Results are the same for any number.",
    ),
]


def _resolution(text: str) -> float | str:
    """``--resolution``: a number, else the text (``auto``; anything else is refused)."""
    try:
        return float(text)
    except ValueError:
        return text


def _segment(v: dict[str, Any]) -> Any:
    from .segments.options import SegmentOptions

    extra = {}
    if "objective" in v:
        extra = {"objective": v["objective"], "resolution": _resolution(v["resolution"])}
    from ._parallel import check_jobs

    segment = SegmentOptions(
        min_gain=None if v["no_refine"] else v["min_gain"],
        max_size=v["max_size"],
        min_size=v["min_size"],
        backend=v["backend"],
        ties=v["ties"],
        **extra,
    )
    check_jobs(v["jobs"])
    return {"segment": segment, "jobs": v["jobs"] or None}  # None: every core (see analyze)


split_options = _group("segment", _SPLIT, _segment)
"""How to split and keep segments (no --objective/--resolution: ``scan`` sets those); the
command receives ``segment`` (SegmentOptions) and ``jobs``."""


def segment_group(objective_flag: str = "--objective") -> Callable[[Command], Command]:
    """--objective (named ``objective_flag``), --resolution and how to split; the command
    receives ``segment`` and ``jobs``."""
    return _group(
        "segment",
        [
            click.option(
                objective_flag,
                "objective",
                type=click.Choice(("modularity", "cpm")),
                default="modularity",
                show_default=True,
                help="Leiden quality function.",
            ),
            click.option(
                "--resolution",
                default="1.0",
                show_default=True,
                help="Leiden resolution (higher = smaller segments), or 'auto': the scan's "
                "recommendation.",
            ),
            *_SPLIT,
        ],
        _segment,
    )


segment_options = segment_group()
"""--objective, --resolution and how to split; the command receives ``segment`` and ``jobs``."""


def rank_group(weight_flag: str = "--score-weight") -> Callable[[Command], Command]:
    """Composite score weights (``weight_flag``) and shortlist length; the command receives
    ``rank`` (RankOptions)."""

    def make(v: dict[str, Any]) -> Any:
        from .graph.schema import split_pair
        from .influencers.rank import RankOptions

        pairs = (split_pair(i, weight_flag, "MEASURE=W", "betweenness=0.3") for i in v["weights"])
        return RankOptions(score_weights=dict(pairs) or None, top=v["top"])

    return _group(
        "rank",
        [
            click.option(
                weight_flag,
                "weights",
                multiple=True,
                metavar="MEASURE=W",
                help=f"Composite score weight, e.g. {weight_flag} betweenness=0.3.",
            ),
            click.option(
                "--top",
                type=int,
                default=10,
                show_default=True,
                help="People per segment in shortlist.csv.",
            ),
        ],
        make,
    )


rank_options = rank_group()
"""Composite score weights and shortlist length; the command receives ``rank`` (RankOptions)."""


def run_options(fn: Command) -> Command:
    """Every option of a run: the command receives ``data``, ``read``, ``graph``, ``segment``
    and ``rank``, ready for :func:`nichegraph.analyze`."""
    return reader_options(graph_options(segment_options(rank_options(fn))))


def plan_run_options(fn: Command) -> Command:
    """Every run option for ``plan``, whose own --objective and --score-weight are the
    campaign's: Leiden's is --leiden-objective, the composite's --rank-weight."""
    return reader_options(
        graph_options(segment_group("--leiden-objective")(rank_group("--rank-weight")(fn)))
    )
