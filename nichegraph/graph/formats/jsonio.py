"""Reading JSON inputs into Arrow at C speed, and the list/struct helpers the platforms share.

JSON Lines go through ``pyarrow.json`` with an explicit schema that names only the fields a
format needs (everything else is ignored, so memory follows the fields used, not the
records' size). A JSON document (one object or an array, as APIs return a page) is parsed by
``json`` and converted by Arrow in one call. A malformed line is reported with its 1-based
number; finding it scans the file again, on the error path only.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from ...errors import InputError
from .base import RawPart, SourceFile, growing_blocks, reason

__all__ = [
    "Lookup",
    "assemble",
    "candidates",
    "explode",
    "field_of",
    "finish_part",
    "json_error",
    "load_document",
    "parse_document",
    "read_records",
    "strings",
    "too_deep",
]

_BLOCK_BYTES = 1 << 24  # Arrow's first JSON block; grown when one line (an API page) does not fit
_CHANGED = re.compile(r"Column\((/[^)]*)\) changed from (\w+) to (\w+)")
_JSON_TYPES = {"number": pa.float64(), "string": pa.string(), "boolean": pa.bool_()}


def read_records(
    file: SourceFile, layout: str | None, schema: pa.Schema, *, flexible: tuple[str, ...] = ()
) -> pa.Table:
    """The records of ``file`` as a table with ``schema``'s columns (missing fields are null).

    ``layout`` is ``lines`` (JSON Lines) or ``document`` (an object or an array of objects).
    Top-level fields named in ``flexible`` may hold numbers in one file and strings in another
    (Reddit's ``created_utc``): their type follows the file.
    """
    if layout == "document":
        return _read_document(file, schema, flexible)
    return _read_lines(file, file.open, schema, flexible, what="line")


def _read_lines(
    file: SourceFile, opener: Any, schema: pa.Schema, flexible: tuple[str, ...], *, what: str
) -> pa.Table:
    flipped: set[str] = set()
    while True:

        def parse(block: int, schema: pa.Schema = schema) -> pa.Table:
            with opener() as stream:
                return pj.read_json(
                    stream,
                    read_options=pj.ReadOptions(block_size=block),
                    parse_options=pj.ParseOptions(
                        explicit_schema=schema, unexpected_field_behavior="ignore"
                    ),
                )

        try:
            return growing_blocks(parse, _BLOCK_BYTES, file.label)
        except pa.ArrowInvalid as exc:
            changed = _CHANGED.search(str(exc))
            if changed is None:
                raise _bad_json(file, opener, exc, what) from None
            path, old, new = changed.groups()
            name = path.strip("/")
            if name in flexible and name not in flipped and new in _JSON_TYPES:
                schema = schema.set(schema.get_field_index(name), pa.field(name, _JSON_TYPES[new]))
                flipped.add(name)
                continue
            if name in flexible:  # numbers and strings in one file: the slow, tolerant path
                return _read_mixed(file, opener, schema, name)
            field_name = path.strip("/").replace("/[]/", "[].").replace("/", ".") or "(record)"
            raise InputError(
                f"{file.label}: field {field_name!r} holds {_a(new)} where its other records "
                f"hold {_a(old)}; the file does not follow one schema"
            ) from None
        except (OSError, EOFError, zlib.error, pa.ArrowException) as exc:
            raise InputError(f"{file.label} could not be read as JSON: {reason(exc)}") from None


def _a(json_type: str) -> str:
    return f"{'an' if json_type[:1] in 'aeiou' else 'a'} {json_type}"


def _read_mixed(file: SourceFile, opener: Any, schema: pa.Schema, name: str) -> pa.Table:
    """Read with ``field`` as text (numbers become their digits), the rest as declared."""
    with opener() as stream:
        lines = stream.read().split(b"\n")
    try:
        records = [json.loads(line) for line in lines if line.strip()]  # only this rare path
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _bad_json(file, opener, exc, "line") from None
    for record in records:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            record[name] = str(int(value)) if float(value).is_integer() else str(value)
    schema = schema.set(schema.get_field_index(name), pa.field(name, pa.string()))
    return pa.Table.from_struct_array(pa.array(records, type=pa.struct(list(schema))))


def parse_document(content: str | bytes, label: str) -> Any:
    """Parse a whole JSON document; a syntax error names its line and column."""
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label} line {exc.lineno} is not valid JSON ({exc.msg}, column {exc.colno}); "
            "fix or remove that line"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{label} is not UTF-8 text; JSON must be UTF-8") from None
    except RecursionError:
        raise too_deep(label) from None


def too_deep(label: str, where: str = "") -> InputError:
    """The error for JSON nested beyond what Python's parser can follow (a RecursionError)."""
    return InputError(
        f"{label}{where} nests JSON arrays or objects too deeply to parse (hundreds of levels); "
        "flatten the records or remove the offending one"
    )


def finish_part(
    fmt: str,
    files: list[Any],
    infos: list[Any],
    columns: list[str],
    mapping: dict[str, str],
    records: pd.DataFrame,
    pieces: list[pd.DataFrame],
    duplicate: np.ndarray,
    notes: list[str],
) -> Any:
    """Assemble the pieces of a platform export into its :class:`RawPart`.

    Duplicate records are counted once per record (not per interaction they would give).
    """
    skipped: dict[str, int] = {}
    frame = assemble(records, pieces, skipped)
    if duplicate.any():
        skipped["duplicate_record"] = int(duplicate.sum())
    label = files[0][0].label + (f" (+{len(files) - 1} more)" if len(files) > 1 else "")
    return RawPart(label, fmt, infos, columns, mapping, frame, notes=notes, skipped=skipped)


def load_document(file: SourceFile) -> list[dict[str, Any]]:
    """The records of a JSON document: the elements of an array, or the one object."""
    value = parse_document(file.read_all(), file.label)
    records = value if isinstance(value, list) else [value]
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise InputError(
            f"{file.label}: element {bad + 1} of the JSON array is a "
            f"{type(records[bad]).__name__}, not an object; expected one record per element"
        )
    return records


def _read_document(file: SourceFile, schema: pa.Schema, flexible: tuple[str, ...]) -> pa.Table:
    records = load_document(file)
    try:
        array = pa.array(records, type=pa.struct(list(schema)))
        return pa.Table.from_struct_array(array)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # name the field: re-read as lines
        lines = "\n".join(json.dumps(r) for r in records).encode()
        return _read_lines(file, lambda: pa.BufferReader(lines), schema, flexible, what="record")


def json_error(file: SourceFile, exc: Exception) -> InputError:
    """The error for JSON Lines Arrow could not parse: the first malformed line, by number."""
    return _bad_json(file, file.open, exc, "line")


def _bad_json(file: SourceFile, opener: Any, exc: Exception, what: str) -> InputError:
    """The error for a malformed JSON line, naming it (found by a scan of the file)."""
    number = 0
    try:
        with opener() as stream:
            for number, line in enumerate(_lines(stream), start=1):
                if not line.strip():
                    continue
                try:
                    json.loads(line)
                except json.JSONDecodeError as err:
                    return InputError(
                        f"{file.label} {what} {number} is not valid JSON ({err.msg}, column "
                        f"{err.colno}); fix or remove that {what}"
                    )
                except UnicodeDecodeError:
                    return InputError(
                        f"{file.label} {what} {number} is not valid JSON (not UTF-8 text); "
                        f"fix or remove that {what}"
                    )
                except RecursionError:
                    return too_deep(file.label, f" {what} {number}")
    except (OSError, EOFError, zlib.error, pa.ArrowException) as err:
        return InputError(f"{file.label} could not be read as JSON: {reason(err)}")
    return InputError(f"{file.label} could not be read as JSON Lines: {reason(exc)}")


def _lines(stream: Any) -> Iterator[bytes]:
    pending = b""
    while chunk := stream.read(1 << 20):
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


# --------------------------------------------------------------------------- Arrow helpers


def field_of(array: pa.Array | pa.ChunkedArray, *path: str) -> pa.Array:
    """The nested field at ``path`` of a struct array (null where any level is null)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.struct_field(array, list(path))


def explode(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """A list array as ``(row of each element, the elements)`` (null lists give nothing).

    >>> rows, values = explode(pa.array([["a", "b"], None, [], ["c"]]))
    >>> rows.tolist(), values.to_pylist()
    ([0, 0, 3], ['a', 'b', 'c'])
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    rows = pc.list_parent_indices(array).to_numpy(zero_copy_only=False).astype(np.int64)
    return rows, pc.list_flatten(array)


def strings(array: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An Arrow array as a pandas ``str`` Series (numbers become their text; nulls stay NaN).

    >>> strings(pa.array([1, None, 30])).tolist()
    ['1', nan, '30']
    """
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        if pa.types.is_floating(array.type) and pc.all(
            pc.equal(array, pc.floor(array))
        ).as_py() in (True, None):
            array = pc.cast(array, pa.int64())  # integral ids read as JSON numbers
        array = pc.cast(array, pa.string())
    return pd.Series(array.to_pandas(), dtype="str")


class Lookup:
    """``key -> value``: the first non-empty value seen for each key, looked up by Arrow.

    >>> owner = Lookup(pd.Series(["1", "2", "1"]), pd.Series(["a", "b", "c"]))
    >>> owner(pd.Series(["2", "1", "9", None])).tolist()
    ['b', 'a', nan, nan]
    """

    def __init__(self, keys: pd.Series, values: pd.Series) -> None:
        k, v = _arrow(keys), _arrow(values)
        ok = pc.and_kleene(pc.is_valid(k), pc.and_kleene(pc.is_valid(v), pc.not_equal(v, "")))
        self._keys, self._values = k.filter(ok), v.filter(ok)

    def __call__(self, query: pd.Series) -> pd.Series:
        """The value of each key in ``query`` (NaN where it has none), same index."""
        found = self._values.take(pc.index_in(_arrow(query), value_set=self._keys))
        return pd.Series(found.to_pandas(), dtype="str").set_axis(query.index)


def _arrow(values: pd.Series) -> pa.Array:
    array = pa.array(values, type=pa.string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


# ------------------------------------------------------------------ interactions from records


def assemble(
    records: pd.DataFrame, pieces: list[pd.DataFrame], skipped: dict[str, int]
) -> pd.DataFrame:
    """Canonical rows from platform records and the candidate interactions found in them.

    ``records`` has one row per record (positional index) with ``source``, ``timestamp``,
    ``text`` and ``reason`` (why every row of the record is skipped, e.g. a deleted author, or
    NaN). Each piece holds candidates: ``rec`` (record position), ``target``, ``kind`` and
    ``reason`` (e.g. an unresolved target, or NaN). A record with no candidate becomes one
    ``post`` row of its author. Skipped rows are counted into ``skipped`` by reason; the rows
    kept are ordered by record, then piece, then position in the piece.

    >>> recs = pd.DataFrame({"source": ["ann", "bob"], "timestamp": ["t1", "t2"],
    ...                      "text": ["hi @bob", "yo"], "reason": [None, None]})
    >>> men = candidates(np.array([0]), pd.Series(["bob"]), "mention", None)
    >>> assemble(recs, [men], {})[["source", "target", "kind"]].values.tolist()
    [['ann', 'bob', 'mention'], ['bob', 'bob', 'post']]
    """
    covered = np.zeros(len(records), dtype=bool)
    for piece in pieces:
        covered[piece["rec"].to_numpy(dtype=np.int64)] = True
    lonely = np.flatnonzero(~covered)
    posts = candidates(lonely, records["source"].take(lonely), "post", None)
    every = [*pieces, posts]
    rec = np.concatenate([p["rec"].to_numpy(dtype=np.int64) for p in every])
    order = np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(every)])
    perm = np.lexsort((np.arange(len(rec)), order, rec))  # by record, piece, position
    rec = rec[perm]
    target = _concat([p["target"] for p in every]).take(perm)
    names = [str(p["kind"].iloc[0]) if len(p) else "post" for p in every]
    kinds = list(dict.fromkeys(names))
    codes = np.array([kinds.index(n) for n in names], dtype=np.int64)[order[perm]]
    kind = pd.Series(pd.Categorical.from_codes(codes, kinds))
    why = _concat([p["reason"] for p in every]).take(perm).to_numpy(dtype=object)
    own = records["reason"].to_numpy(dtype=object)[rec]
    why = np.where(pd.isna(own), why, own)
    bad = ~pd.isna(why)
    for name, count in pd.Series(why[bad]).value_counts().items():
        skipped[str(name)] = skipped.get(str(name), 0) + int(count)
    keep = np.flatnonzero(~bad)
    at = rec[keep]
    return pd.DataFrame(
        {
            "source": records["source"].take(at).reset_index(drop=True),
            "target": target.take(keep).reset_index(drop=True),
            "kind": kind.take(keep).reset_index(drop=True),
            "timestamp": records["timestamp"].take(at).reset_index(drop=True),
            "text": records["text"].take(at).reset_index(drop=True),
        }
    )


def _concat(series: list[pd.Series]) -> pd.Series:
    return pd.concat([s.reset_index(drop=True) for s in series], ignore_index=True)


def candidates(
    rec: np.ndarray, target: pd.Series, kind: str, reason: pd.Series | str | None
) -> pd.DataFrame:
    """A piece for :func:`assemble`: where ``target`` is missing, ``reason`` explains why.

    >>> candidates(np.array([0, 1]), pd.Series(["bob", None]), "reply", "unresolved_user")[
    ...     "reason"].tolist()
    [nan, 'unresolved_user']
    """
    target = pd.Series(target, dtype="str").reset_index(drop=True)
    missing = target.isna()
    if isinstance(reason, pd.Series):
        why = pd.Series(reason, dtype="str").reset_index(drop=True)
    else:
        why = pd.Series(reason, index=target.index, dtype="str")
    return pd.DataFrame(
        {"rec": np.asarray(rec, dtype=np.int64), "target": target, "kind": kind,
         "reason": why.where(missing)}
    )  # fmt: skip
