"""GEXF (Gephi) and GraphML (igraph, Cytoscape, yEd) text from a people table and a ties table.

:func:`clean_attributes` is the hygiene every writer applies first, so a bad attribute fails
before any byte is written: one type per column (``long``, ``double``, ``boolean`` or
``string``; a column of mixed types is written as text), lists joined with ``"; "``, missing
text as ``""``, a missing or infinite number an :class:`InputError`, reserved names (``id``,
``label``, ``start``, ``end``, ``viz``, and for ties ``source``, ``target``, ``weight``)
prefixed with ``attr_``, characters XML cannot hold replaced by U+FFFD. The XML is made with
vectorised string operations (no Python call per cell for plain text) and carries a fixed
date, so the same tables give the same bytes. Measured against networkx's writers in
``bench/bench_report.py``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .csv import atomic_write

__all__ = [
    "FIXED_DATE",
    "GRAPH_FORMATS",
    "GraphTables",
    "check_exports",
    "clean_attributes",
    "gexf_text",
    "graph_bytes",
    "graph_text",
    "graphml_text",
    "write_graph",
]

GRAPH_FORMATS = {"gexf": "network.gexf", "graphml": "network.graphml"}
"""Export formats and the file each writes into a run folder."""

FIXED_DATE = "2000-01-01"
_RESERVED = frozenset({"id", "label", "start", "end", "viz"})
_EDGE_RESERVED = _RESERVED | {"source", "target", "weight"}
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BAD_UTF8 = (
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # the same for Arrow (RE2): no surrogates
)


@dataclass(frozen=True, eq=False)
class GraphTables:
    """``nodes`` (``id`` + attributes), ``edges`` (``source``, ``target``, ``weight`` +
    attributes) and ``viz`` (``x``, ``y``, ``size``, ``color`` aligned with ``nodes``, or None)."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    viz: pd.DataFrame | None = None
    directed: bool = True


# ----------------------------------------------------------------------------- hygiene


def _text(values: pd.Series) -> pd.Series:
    """Text cells: lists joined, missing as '', XML-invalid characters replaced."""

    def one(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            return ""
        if isinstance(v, list | tuple | set | frozenset | np.ndarray):
            items = sorted(v, key=str) if isinstance(v, set | frozenset) else list(v)
            return "; ".join("" if one(i) == "" else one(i) for i in items)
        if isinstance(v, dict):
            return "; ".join(f"{k}={one(x)}" for k, x in v.items())
        if isinstance(v, bytes):
            return v.decode("utf-8", errors="replace")
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
        return str(v)

    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        out = values.astype(str).astype(object)
    elif not values.isna().any() and pd.api.types.infer_dtype(values, skipna=False) == "string":
        out = values.astype(object)  # all text, none missing: no Python call per cell
    else:
        out = values.astype(object).map(one).astype(object)  # map may infer Arrow strings
    arr = _arrow(out)
    if arr is None:  # not all text Arrow can hold (e.g. a lone surrogate): Python's regex
        if out.str.contains(_BAD_XML, regex=True).any():
            out = out.str.replace(_BAD_XML, "\ufffd", regex=True)
        return out
    if pc.any(pc.match_substring_regex(arr, _BAD_UTF8)).as_py():
        arr = pc.replace_substring_regex(arr, _BAD_UTF8, "\ufffd")
        return pd.Series(arr.to_numpy(zero_copy_only=False), index=out.index, dtype=object)
    return out


def _arrow(values: pd.Series) -> pa.Array | None:
    """``values`` (text) as an Arrow ``large_string`` array; None when one is not text."""
    try:
        arr = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return None
    return arr if not arr.null_count else None


def _kind(values: pd.Series, name: str) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) and not values.isna().any():
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype) and not values.isna().any():
        return "long"
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return "double"
    if not pd.api.types.is_object_dtype(dtype):
        return "string"
    kinds = {type(v) for v in values.tolist()}
    if kinds and kinds <= {bool, np.bool_}:
        return "boolean"
    if kinds and all(issubclass(k, int | np.integer) and not issubclass(k, bool | np.bool_)
                     for k in kinds):  # fmt: skip
        return "long"
    if kinds and all(issubclass(k, float | int | np.floating | np.integer)
                     and not issubclass(k, bool | np.bool_) for k in kinds):  # fmt: skip
        return "double"
    return "string"


def clean_attributes(
    frame: pd.DataFrame, *, what: str = "node", reserved: frozenset[str] = _RESERVED
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``(frame of XML-ready text, {name: type})`` for attribute columns (see module doc).

    >>> frame = pd.DataFrame({"id": [1, 2], "x": [1.5, 2], "tags": [["a", "b"], None]})
    >>> f, t = clean_attributes(frame)
    >>> t, f["tags"].tolist()
    ({'attr_id': 'long', 'x': 'double', 'tags': 'string'}, ['a; b', ''])
    >>> clean_attributes(pd.DataFrame({"x": [1.0, float("nan")]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: node attribute 'x' has 1 missing or infinite numbers; fill ...
    """
    out: dict[str, pd.Series] = {}
    types: dict[str, str] = {}
    for col in frame.columns:
        name = str(col)
        if name.casefold() in reserved:
            name = "attr_" + name
        name = _BAD_XML.sub("\ufffd", name)
        if name in types:
            raise InputError(f"{what} attribute name {name!r} is given twice; rename one")
        values = frame[col].reset_index(drop=True)
        kind = _kind(values, name)
        if kind in ("long", "double"):
            arr = pd.to_numeric(values).to_numpy(dtype=float if kind == "double" else np.int64)
            if kind == "double":
                bad = int((~np.isfinite(arr)).sum())
                if bad:
                    raise InputError(
                        f"{what} attribute {name!r} has {bad} missing or infinite numbers; "
                        "fill them (e.g. 0) or drop the column before export"
                    )
                arr = arr + 0.0  # no negative zero
                text = arr.astype(str)
            else:  # Arrow writes integers as str() does, without numpy's fixed-width text
                text = pc.cast(pa.array(arr), pa.large_string()).to_numpy(zero_copy_only=False)
            out[name] = pd.Series(text, dtype=object)
        elif kind == "boolean":
            out[name] = pd.Series(np.where(values.astype(bool), "true", "false"), dtype=object)
        else:
            out[name] = _escape(_text(values))
        types[name] = kind
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame))), types


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
             "\r": "&#13;", "\t": "&#9;"}  # fmt: skip
_SPECIAL = re.compile('[&<>"\n\r\t]')


def _escape(s: pd.Series) -> pd.Series:
    """XML attribute/text escaping: Arrow finds the cells that need it and replaces each
    character (``&`` first, so no entity is escaped twice); Python's regex for other text."""
    s = s.astype(object)
    arr = _arrow(s)
    if arr is None:
        if not s.str.contains(_SPECIAL, regex=True).any():
            return s
        return s.str.replace(_SPECIAL, lambda m: _ENTITIES[m.group(0)], regex=True)
    if not pc.any(pc.match_substring_regex(arr, _SPECIAL.pattern)).as_py():
        return s
    for char, entity in _ENTITIES.items():
        arr = pc.replace_substring(arr, char, entity)
    return pd.Series(arr.to_numpy(zero_copy_only=False), index=s.index, dtype=object)


@dataclass(frozen=True)
class _Clean:
    ids: pd.Series
    node_attrs: pd.DataFrame
    node_types: dict[str, str]
    src: pd.Series
    dst: pd.Series
    weight: pd.Series
    edge_attrs: pd.DataFrame
    edge_types: dict[str, str]
    viz: pd.DataFrame | None


def _unknown(ends: pd.Series, ids: pd.Series) -> str | None:
    """The first of ``ends`` that is not one of ``ids`` (None if all are)."""
    arr, known = _arrow(ends), _arrow(ids)
    if arr is None or known is None:
        names = set(ids.tolist())
        return next((v for v in ends.tolist() if v not in names), None)
    found = pc.is_in(arr, value_set=known).to_numpy(zero_copy_only=False)
    return None if found.all() else str(arr[int(np.argmin(found))].as_py())


def _clean(tables: GraphTables) -> _Clean:
    nodes, edges = tables.nodes, tables.edges
    for frame, cols, what in ((nodes, ["id"], "nodes"),
                              (edges, ["source", "target", "weight"], "edges")):  # fmt: skip
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"the {what} table has no {missing[0]!r} column")
    raw_ids = _text(nodes["id"].reset_index(drop=True))
    if (raw_ids == "").any():
        raise InputError("a node has an empty id; every person needs a handle")
    if raw_ids.duplicated().any():
        dup = raw_ids[raw_ids.duplicated()].iloc[0]
        raise InputError(f"node id {dup!r} is given twice; ids must be unique")
    src = _text(edges["source"].reset_index(drop=True))
    dst = _text(edges["target"].reset_index(drop=True))
    unknown = _unknown(pd.concat([src, dst], ignore_index=True), raw_ids)
    if unknown is not None:
        raise InputError(f"a tie names {unknown!r}, which is not a node")
    node_attrs, node_types = clean_attributes(nodes.drop(columns="id"), what="node")
    weight, _ = clean_attributes(edges[["weight"]], what="edge", reserved=frozenset())
    edge_attrs, edge_types = clean_attributes(
        edges.drop(columns=["source", "target", "weight"]), what="edge", reserved=_EDGE_RESERVED
    )
    viz = tables.viz
    if viz is not None:
        bad = ~np.isfinite(viz[["x", "y", "size"]].to_numpy(dtype=float))
        if bad.any():
            raise InputError("the drawing has a missing or infinite position or size")
    return _Clean(_escape(raw_ids), node_attrs, node_types, _escape(src), _escape(dst),
                  weight["weight"], edge_attrs, edge_types, viz)  # fmt: skip


def _num(values: pd.Series) -> pd.Series:
    return pd.Series((values.to_numpy(dtype=float) + 0.0).astype(str), dtype=object)


def _join(parts: list[pd.Series | str], n: int) -> bytes:
    """Concatenate per-row pieces (Series of text or constants) and the rows, one per line,
    as UTF-8: one Arrow pass over all pieces (a piece given twice is converted once)."""
    if n == 0:
        return b""
    arrays: dict[int, pa.Array | None] = {}
    args: list[Any] = []
    for p in parts:
        if isinstance(p, str):
            args.append(pa.scalar(p, pa.large_string()))
            continue
        if id(p) not in arrays:
            arrays[id(p)] = _arrow(p)
        args.append(arrays[id(p)])
    if any(a is None for a in args):  # a piece that is not all text: pandas adds them
        acc = pd.Series([""] * n, dtype=object)
        for p in parts:
            acc = acc + p
        return ("\n".join(acc.tolist()) + "\n").encode("utf-8")
    newline, none = pa.scalar("\n", pa.large_string()), pa.scalar("", pa.large_string())
    lines = pc.binary_join_element_wise(*args, newline, none)
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2][start:end].to_pybytes()


# -------------------------------------------------------------------------------- GEXF


def gexf_text(tables: GraphTables, *, creator: str = "nichegraph") -> str:
    """GEXF 1.2 text: typed attributes, ``viz:`` colour, size and position, a fixed date.

    >>> t = GraphTables(pd.DataFrame({"id": ["a&b", "c"], "segment": [1, 2]}),
    ...                 pd.DataFrame({"source": ["a&b"], "target": ["c"], "weight": [2.5]}))
    >>> print(gexf_text(t).split("<nodes>")[1].split("</nodes>")[0].strip())
    <node id="a&amp;b" label="a&amp;b"><attvalues><attvalue for="0" value="1"/></attvalues></node>
    <node id="c" label="c"><attvalues><attvalue for="0" value="2"/></attvalues></node>
    """
    return _gexf(tables, creator=creator).decode("utf-8")


def _gexf(tables: GraphTables, *, creator: str = "nichegraph") -> bytes:
    c = _clean(tables)
    n, m = len(c.ids), len(c.src)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://www.gexf.net/1.2draft" '
        'xmlns:viz="http://www.gexf.net/1.2draft/viz" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
        'version="1.2">',
        f'<meta lastmodifieddate="{FIXED_DATE}"><creator>{creator}</creator></meta>',
        f'<graph defaultedgetype="{"directed" if tables.directed else "undirected"}" '
        'mode="static">',
    ]
    for cls, types in (("node", c.node_types), ("edge", c.edge_types)):
        head.append(f'<attributes class="{cls}" mode="static">')
        for i, (name, kind) in enumerate(types.items()):
            head.append(f'<attribute id="{i}" title="{_escape(pd.Series([name]))[0]}" '
                        f'type="{kind}"/>')  # fmt: skip
        head.append("</attributes>")

    def attvalues(frame: pd.DataFrame) -> list[pd.Series | str]:
        if not len(frame.columns):
            return []
        parts: list[pd.Series | str] = ["<attvalues>"]
        for i, col in enumerate(frame.columns):
            parts += [f'<attvalue for="{i}" value="', frame[col], '"/>']
        return [*parts, "</attvalues>"]

    node_parts: list[pd.Series | str] = ['<node id="', c.ids, '" label="', c.ids, '">']
    node_parts += attvalues(c.node_attrs)
    if c.viz is not None:
        rgb = c.viz["color"].astype(str).str.lstrip("#")
        node_parts += [
            '<viz:size value="', _num(c.viz["size"]), '"/>',
            '<viz:position x="', _num(c.viz["x"]), '" y="', _num(c.viz["y"]), '" z="0.0"/>',
            '<viz:color r="', rgb.str[0:2].map(lambda h: str(int(h, 16))),
            '" g="', rgb.str[2:4].map(lambda h: str(int(h, 16))),
            '" b="', rgb.str[4:6].map(lambda h: str(int(h, 16))), '"/>',
        ]  # fmt: skip
    node_parts.append("</node>")
    eid = pd.Series(np.arange(m).astype(str), dtype=object)
    edge_parts: list[pd.Series | str] = ['<edge id="', eid, '" source="', c.src, '" target="']
    edge_parts += [c.dst, '" weight="', c.weight, '">']
    edge_parts += [*attvalues(c.edge_attrs), "</edge>"]
    head_text = ("\n".join(head) + "\n<nodes>\n").encode("utf-8")
    return b"".join([head_text, _join(node_parts, n), b"</nodes>\n<edges>\n",
                     _join(edge_parts, m), b"</edges>\n</graph>\n</gexf>\n"])  # fmt: skip


# ----------------------------------------------------------------------------- GraphML


def graphml_text(tables: GraphTables) -> str:
    """GraphML text with the same typed attributes, plus ``label`` (the handle), ``x``, ``y``,
    ``size`` and ``r``, ``g``, ``b`` for tools that draw from them.

    >>> t = GraphTables(pd.DataFrame({"id": ["a", "c"], "segment": [1, 2]}),
    ...                 pd.DataFrame({"source": ["a"], "target": ["c"], "weight": [2.5]}))
    >>> print(graphml_text(t).split("<graph ")[1].splitlines()[1])
    <node id="a"><data key="n0">a</data><data key="n1">1</data></node>
    """
    return _graphml(tables).decode("utf-8")


def _graphml(tables: GraphTables) -> bytes:
    c = _clean(tables)
    n, m = len(c.ids), len(c.src)
    node_keys: list[tuple[str, str, pd.Series]] = [("label", "string", c.ids)]
    node_keys += [(k, t, c.node_attrs[k]) for k, t in c.node_types.items()]
    if c.viz is not None:
        rgb = c.viz["color"].astype(str).str.lstrip("#")
        node_keys += [("x", "double", _num(c.viz["x"])), ("y", "double", _num(c.viz["y"])),
                      ("size", "double", _num(c.viz["size"]))]  # fmt: skip
        for ch, sl in (("r", slice(0, 2)), ("g", slice(2, 4)), ("b", slice(4, 6))):
            node_keys.append((ch, "int", rgb.str[sl].map(lambda h: str(int(h, 16)))))
    taken = {k for k, _, _ in node_keys}
    if len(taken) != len(node_keys):
        raise InputError("a node attribute is named like a drawing key (x, y, size, r, g, b)")
    edge_keys = [("weight", "double", c.weight)]
    edge_keys += [(k, t, c.edge_attrs[k]) for k, t in c.edge_types.items()]
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    for prefix, what, keys in (("n", "node", node_keys), ("e", "edge", edge_keys)):
        for i, (name, kind, _) in enumerate(keys):
            name_text = _escape(pd.Series([name]))[0]
            head.append(f'<key id="{prefix}{i}" for="{what}" attr.name="{name_text}" '
                        f'attr.type="{kind}"/>')  # fmt: skip
    head.append(f'<graph edgedefault="{"directed" if tables.directed else "undirected"}">')
    node_parts: list[pd.Series | str] = ['<node id="', c.ids, '">']
    for i, (_, _, values) in enumerate(node_keys):
        node_parts += [f'<data key="n{i}">', values, "</data>"]
    node_parts.append("</node>")
    edge_parts: list[pd.Series | str] = ['<edge source="', c.src, '" target="', c.dst, '">']
    for i, (_, _, values) in enumerate(edge_keys):
        edge_parts += [f'<data key="e{i}">', values, "</data>"]
    edge_parts.append("</edge>")
    return b"".join([("\n".join(head) + "\n").encode("utf-8"), _join(node_parts, n),
                     _join(edge_parts, m), b"</graph>\n</graphml>\n"])  # fmt: skip


# ------------------------------------------------------------------------ files, interop


def check_exports(export: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Validated ``--export`` formats (``gexf``, ``graphml``), in the order given.

    >>> check_exports("graphml,gexf"), check_exports(None)
    (('graphml', 'gexf'), ())
    """
    if export is None:
        return ()
    given = [export] if isinstance(export, str) else list(export)
    items = [x for e in given for x in str(e).split(",")]
    out: list[str] = []
    for item in items:
        f = item.strip().lower()
        if f and f not in GRAPH_FORMATS:
            raise InputError(f"unknown --export {f!r}; use {' and/or '.join(GRAPH_FORMATS)}")
        if f and f not in out:
            out.append(f)
    return tuple(out)


def graph_bytes(tables: GraphTables, fmt: str) -> bytes:
    """The text of ``fmt`` (``gexf`` or ``graphml``) as UTF-8, made without a ``str`` copy
    (gigabytes at 10M rows)."""
    if fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}")
    return _gexf(tables) if fmt == "gexf" else _graphml(tables)


def graph_text(tables: GraphTables, fmt: str) -> str:
    """The text of ``fmt`` (``gexf`` or ``graphml``)."""
    return graph_bytes(tables, fmt).decode("utf-8")


def write_graph(tables: GraphTables, path: str | os.PathLike[str], fmt: str) -> Path:
    """Write ``tables`` as ``fmt`` to ``path`` atomically (the whole text is made first)."""
    return atomic_write(path, graph_bytes(tables, fmt))
