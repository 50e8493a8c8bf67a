"""NodeXL workbooks (``.xlsx``, the Edges worksheet) and their CSV exports.

NodeXL's Edges worksheet is a table whose header row (``Vertex 1``, ``Vertex 2``, ``Color``,
…, ``Relationship``, ``Relationship Date (UTC)``, ``Tweet``, ``URLs in Tweet``, ``Hashtags in
Tweet``, …) sits under a row of column-group headings; the header is found by its ``Vertex 1``
and ``Vertex 2`` cells in the first rows. ``Relationship`` values (``Replies to``,
``Mentions``, ``Retweet``, ``MentionsInRetweet``, ``Quote``, ``MentionsInQuote``,
``MentionsInReplyTo``) map to kinds through :data:`~nichegraph.graph.schema.KIND_ALIASES`.
NodeXL writes a ``Tweet`` self-loop row for every tweet that is not a reply or mention: it is
kept as kind ``post``, activity of its author, not an interaction (the graph drops self-loops).
The text is the tweet, then its expanded URLs and its hashtags, one line each.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pandas as pd

from ...errors import InputError
from ..schema import as_text, header_key
from .base import (
    RawPart,
    ReadOptions,
    SourceFile,
    listing,
    reason,
    renamed_columns,
    resolve_mapping,
)
from .delimited import read_delimited

__all__ = ["EXTRA_COLUMNS", "compose_text", "read_nodexl"]

EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "_urls": ("URLs in Tweet",),
    "_hashtags": ("Hashtags in Tweet",),
}
"""NodeXL columns folded into ``text`` besides the tweet itself."""

_HEADER_ROWS = 10  # rows searched for the Edges table's header


def read_nodexl(
    file: SourceFile, opts: ReadOptions, *, layout: str | None = None, header_line: int = 0
) -> RawPart:
    """A NodeXL workbook (``layout="workbook"``) or CSV export as a :class:`RawPart`."""
    if layout == "workbook":
        part = _read_workbook(file, opts)
    else:
        part = read_delimited(
            file, opts, fmt="nodexl", header_line=header_line, extras=EXTRA_COLUMNS
        )
    return _finish(part)


def _read_workbook(file: SourceFile, opts: ReadOptions) -> RawPart:
    source: Any = io.BytesIO(file.read_all()) if file.compression else file.path
    try:
        book = pd.ExcelFile(source, engine="openpyxl")
        sheet = next((s for s in book.sheet_names if str(s).strip().lower() == "edges"), None)
        if sheet is None:
            raise InputError(
                f"{file.label} has no Edges sheet (sheets: {listing(book.sheet_names)}); "
                "NodeXL keeps interactions in its Edges worksheet: pass a NodeXL workbook, or "
                "export the sheet that holds them as CSV"
            )
        cells = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    except InputError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{file.label} could not be read as an .xlsx workbook: {reason(exc)}"
        ) from None
    label = f"{file.label} (sheet {sheet})"
    top = min(_HEADER_ROWS, len(cells))
    row = next((i for i in range(top) if _is_header(cells.iloc[i].tolist())), 0)
    if len(cells) == 0:
        raise InputError(f"{label} is empty: expected a header row and interaction rows")
    names = [
        str(v).strip() if pd.notna(v) else f"Unnamed: {j}"
        for j, v in enumerate(cells.iloc[row].tolist())
    ]
    data = cells.iloc[row + 1 :]
    data = data[data.notna().any(axis=1)].reset_index(drop=True)  # Excel's empty rows
    names = renamed_columns(names, opts, label)
    resolved = resolve_mapping(names, opts.mapping, label)
    if len(data) == 0:
        raise InputError(f"{label} has a header but no data rows")
    positions = resolved.positions(names)
    keys = [header_key(n) for n in names]
    for extra, wanted in EXTRA_COLUMNS.items():
        found = next((i for i, k in enumerate(keys) if k in map(header_key, wanted)), None)
        if found is not None and found not in positions.values():
            positions[extra] = found
    frame = pd.DataFrame({f: data.iloc[:, i] for f, i in positions.items()})
    notes = [f"{row} row(s) above the header skipped (NodeXL group headings)"] if row else []
    info = file.info("nodexl", sheet=str(sheet), records=len(data))
    return RawPart(label, "nodexl", [info], names, resolved.mapping, frame,
                   notes=notes + resolved.notes)  # fmt: skip


def _is_header(cells: list[Any]) -> bool:
    keys = {header_key(c) for c in cells if isinstance(c, str)}
    return {"vertex1", "vertex2"} <= keys


def _finish(part: RawPart) -> RawPart:
    """Tweet rows become posts of their author; URLs and hashtags join the text."""
    frame = part.frame.copy()
    if "kind" in frame:
        raw = as_text(frame["kind"]).str.strip().str.lower()
        posts = (raw == "tweet").to_numpy(dtype=bool)
        if posts.any():
            frame.loc[posts, "target"] = frame.loc[posts, "source"]
            part.notes.append(
                f"{int(posts.sum())} NodeXL 'Tweet' row(s) are plain tweets: kept as kind "
                "'post' (activity of their author, not an interaction)"
            )
    extras = {k: frame.pop(k) for k in EXTRA_COLUMNS if k in frame}
    if extras:
        frame["text"] = compose_text(frame.get("text"), extras.get("_urls"),
                                     extras.get("_hashtags"))  # fmt: skip
        if "text" not in part.mapping:
            part.mapping["text"] = " + ".join(_names(part, extras))
        else:
            part.mapping["text"] = " + ".join([part.mapping["text"], *_names(part, extras)])
    part.frame = frame
    part.dayfirst = False  # NodeXL (US Excel) writes M/D/YYYY when no value settles the order
    return part


def _names(part: RawPart, extras: dict[str, pd.Series]) -> list[str]:
    keys = {header_key(c): c for c in part.columns_found}
    return [keys[header_key(EXTRA_COLUMNS[k][0])] for k in extras]


def compose_text(
    tweet: pd.Series | None, urls: pd.Series | None, hashtags: pd.Series | None
) -> pd.Series:
    """The tweet, then its URLs, then its hashtags (``#``-prefixed), one line each.

    >>> compose_text(pd.Series(["hi", "yo"]), pd.Series(["http://x.org", ""]),
    ...              pd.Series(["higgs cern", None])).tolist()
    ['hi\\nhttp://x.org\\n#higgs #cern', 'yo']
    """
    base = next(s for s in (tweet, urls, hashtags) if s is not None)
    text = pd.Series("", index=base.index, dtype="str")
    for i, piece in enumerate((tweet, urls, hashtags)):
        if piece is None:
            continue
        value = as_text(piece).fillna("").str.strip()
        if i == 2:
            value = value.str.replace(r"(?:^|(?<=\s))#?(\S+)", r"#\1", regex=True)
        joiner = pd.Series("\n", index=base.index, dtype="str").where(text != "", "")
        text = text + (joiner + value).where(value != "", "")
    return text
