"""Graph files read as interaction logs: GML, GraphML, GEXF, Pajek and plain edge lists.

Each edge is one interaction from its source to its target (an edge listed twice is two
interactions); a ``weight`` edge attribute is respected, and the other edge attributes are
columns like a CSV's (``kind``, ``timestamp``, ``--map``). People are named by their node
``label`` (GML, GEXF, Pajek), a ``name`` or ``label`` attribute (GraphML), else the node id;
if those names are not unique the ids are used, with a note. GML character references
(``&#38;``) are decoded. The graph's directedness is kept in the report; an undirected edge
is read once, from its first end to its second (detection symmetrises the graph anyway).
Nodes without any edge cannot be interactions: they are counted in a note. GML, GraphML and
Pajek are parsed by igraph's C readers, GEXF by networkx, edge lists (``a b [weight]`` per
line, ``#`` comments) by pandas.
"""

from __future__ import annotations

import html
import io
import os
import tempfile
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError
from .base import RawPart, ReadOptions, SourceFile, reason, resolve_mapping

__all__ = ["GRAPH_FILE_FORMATS", "GRAPH_SUFFIXES", "graph_file_format", "read_graph_file"]

GRAPH_FILE_FORMATS = ("gml", "graphml", "gexf", "pajek", "edgelist")
GRAPH_SUFFIXES = {
    ".gml": "gml", ".graphml": "graphml", ".gexf": "gexf", ".net": "pajek", ".paj": "pajek",
    ".pajek": "pajek", ".edgelist": "edgelist", ".edges": "edgelist", ".el": "edgelist",
}  # fmt: skip
"""File extensions (under any ``.gz``/``.zst``) and the graph format they name."""

_NAME_ATTRS = ("label", "name", "id")


def graph_file_format(head: bytes, suffix: str) -> str | None:
    """The graph format of a file from its first bytes, else its extension; None if neither.

    >>> graph_file_format(b'<?xml version="1.0"?><graphml xmlns=', ".xml")
    'graphml'
    >>> graph_file_format(b"graph [ directed 1", ".txt"), graph_file_format(b"a,b", ".csv")
    ('gml', None)
    """
    text = head[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    low = text.lower()
    if low.startswith("<"):
        if "<graphml" in low:
            return "graphml"
        if "<gexf" in low:
            return "gexf"
    if low.startswith("*vertices") or low.startswith("*network"):
        return "pajek"
    stripped = "\n".join(line for line in low.splitlines() if not line.lstrip().startswith("#"))
    if stripped.lstrip().startswith(("graph [", "graph\n[", "creator")) and "graph" in stripped:
        return "gml"
    return GRAPH_SUFFIXES.get(suffix)


def _igraph(file: SourceFile, fmt: str) -> Any:
    import igraph as ig

    readers = {"gml": ig.Graph.Read_GML, "graphml": ig.Graph.Read_GraphML,
               "pajek": ig.Graph.Read_Pajek}  # fmt: skip
    tmp = None
    path = str(file.path)
    if file.compression:  # the C readers take a plain file
        fd, tmp = tempfile.mkstemp(suffix=f".{fmt}")
        with os.fdopen(fd, "wb") as fh:
            fh.write(file.read_all())
        path = tmp
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = readers[fmt](path)
    except Exception as exc:  # igraph raises InternalError with the parser's message
        raise InputError(
            f"{file.label} could not be read as {fmt.upper()}: {reason(exc)}"
        ) from None
    finally:
        if tmp:
            os.unlink(tmp)
    vattrs = {a: g.vs[a] for a in g.vs.attributes()}
    if fmt == "gml":  # GML writes & as &#38; (igraph leaves character references as they are)
        vattrs = {a: [html.unescape(v) if isinstance(v, str) else v for v in vs]
                  for a, vs in vattrs.items()}  # fmt: skip
    names = _names(g.vcount(), vattrs, file, fmt)
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    attrs = {a: g.es[a] for a in g.es.attributes()}
    return names, edges, attrs, g.is_directed()


def _gexf(file: SourceFile) -> Any:
    import networkx as nx

    try:
        g = nx.read_gexf(io.BytesIO(file.read_all()))
    except Exception as exc:
        raise InputError(f"{file.label} could not be read as GEXF: {reason(exc)}") from None
    nodes = list(g.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    labels = [g.nodes[n].get("label", n) for n in nodes]
    names = _names(len(nodes), {"label": labels, "id": [str(n) for n in nodes]}, file, "gexf")
    data = list(g.edges(data=True))
    edges = np.array([(pos[a], pos[b]) for a, b, _ in data], dtype=np.int64).reshape(-1, 2)
    keys = sorted({k for _, _, d in data for k in d if k not in ("id", "viz")})
    attrs = {k: [d.get(k) for _, _, d in data] for k in keys}
    return names, edges, attrs, g.is_directed()


def _names(n: int, attrs: dict[str, list[Any]], file: SourceFile, fmt: str) -> Any:
    """Node names: the first of label / name / id whose values are all present and unique."""
    for key in _NAME_ATTRS:
        values = attrs.get(key)
        if values is None:
            continue
        text = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
                for v in values]  # fmt: skip
        if all(text) and len(set(text)) == n:
            return np.array(text, dtype=object), key
    return np.array([str(i) for i in range(n)], dtype=object), "index"


def _edgelist(file: SourceFile, opts: ReadOptions) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.BytesIO(file.read_all()), sep=r"\s+", header=None, comment="#",
                            dtype=str, encoding=opts.encoding, engine="python")  # fmt: skip
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{file.label} could not be read as an edge list: {reason(exc)}") from None
    if frame.shape[1] < 2:
        raise InputError(f"{file.label}: an edge list needs two names per line (source target)")
    names = opts.columns or ("source", "target", "weight", *(
        f"column_{i + 1}" for i in range(3, frame.shape[1])))  # fmt: skip
    if len(names) < frame.shape[1]:
        raise InputError(
            f"--columns names {len(names)} fields but {file.label} has {frame.shape[1]}"
        )
    frame.columns = list(names[: frame.shape[1]])
    return frame


def read_graph_file(file: SourceFile, opts: ReadOptions, fmt: str) -> RawPart:
    """A graph file's edges as a :class:`RawPart` (see the module doc)."""
    notes: list[str] = []
    if fmt == "edgelist":
        frame = _edgelist(file, opts)
        directed, isolated, named_by = True, 0, "name"
    else:
        names, edges, attrs, directed = _gexf(file) if fmt == "gexf" else _igraph(file, fmt)
        names, named_by = names
        data: dict[str, Any] = {"source": names[edges[:, 0]], "target": names[edges[:, 1]]}
        for key, values in attrs.items():
            if key not in data:
                data[key] = values
        frame = pd.DataFrame(data)
        isolated = int(len(names) - len(np.unique(edges)))
        if named_by == "index":
            notes.append("nodes have no unique label, name or id: named by their position")
        elif named_by != "label":
            notes.append(f"people named by their node {named_by}")
    if not len(frame):
        raise InputError(f"{file.label} has no edges: a graph file needs edges to be a log")
    if not directed:
        notes.append("undirected graph: each edge read as one interaction from its first end")
    if isolated:
        notes.append(f"{isolated:,} nodes without any edge are not interactions and left out")
    columns = [str(c) for c in frame.columns]
    explicit = dict(opts.mapping)
    explicit.setdefault("source", "source")
    explicit.setdefault("target", "target")
    resolved = resolve_mapping(columns, explicit, file.label)
    selected = pd.DataFrame({f: frame.iloc[:, i] for f, i in resolved.positions(columns).items()})
    info = file.info(fmt, records=len(frame), directed=bool(directed), isolated_nodes=isolated)
    return RawPart(file.label, fmt, [info], columns, resolved.mapping, selected,
                   notes=notes + resolved.notes)  # fmt: skip
