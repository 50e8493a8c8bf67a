"""Integer codes for text columns in one shared vocabulary, numbered in sorted order.

The two give what ``pd.factorize(np.concatenate(columns), sort=True)`` gives for
text columns, without turning millions of Arrow strings into Python objects: Arrow's hash
kernel encodes the columns, only the distinct values are sorted (Arrow orders UTF-8 bytewise,
which is code point order, as Python's ``<`` on ``str``). :func:`text_codes` encodes,
:func:`sorted_codes` renumbers the values the kept rows use. Columns that are not plain text
without missing values go through pandas.

>>> codes, vocabulary = text_codes(pd.Series(["b", "a", "c"]), pd.Series(["a", "c", "d"]))
>>> (s, t), names = sorted_codes(codes, vocabulary, keep=np.array([True, True, False]))
>>> s.tolist(), t.tolist(), names
([1, 0], [0, 2], ['a', 'b', 'c'])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .cells import arrow_strings

__all__ = ["arrow_text", "group_codes", "positions", "sorted_codes", "text_codes"]


def arrow_text(column: Any) -> pa.ChunkedArray | None:
    """``column`` as Arrow ``large_string`` (no copy for pandas' Arrow-backed text), or None
    when it is not text or has missing values.

    >>> arrow_text(pd.Series(["a", "b"])).type, arrow_text(pd.Series([1, 2]))
    (DataType(large_string), None)
    """
    arr = arrow_strings(column, convert=True)
    return arr.cast(pa.large_string()) if arr is not None and arr.null_count == 0 else None


def text_codes(*columns: Any) -> tuple[list[np.ndarray], Any]:
    """Each column's codes in one vocabulary, and the vocabulary: equal values, equal codes.
    Text goes through Arrow's hash kernel (the vocabulary is an Arrow array in first-seen
    order; codes as Arrow gives them, int32 for fewer than 2**31 values); anything else
    through ``pd.factorize(sort=True)`` (int64 codes)."""
    lengths = np.cumsum([len(c) for c in columns])[:-1]
    arrays = [arrow_text(c) for c in columns]
    if any(a is None for a in arrays):
        joined = np.concatenate([np.asarray(c, dtype=object) for c in columns])
        codes, vocabulary = pd.factorize(joined, sort=True)
        return np.split(codes.astype(np.int64), lengths), vocabulary
    chunks = [chunk for a in arrays for chunk in a.chunks]  # type: ignore[union-attr]
    encoded = pc.dictionary_encode(pa.chunked_array(chunks, type=pa.large_string()))
    none = pa.array([], pa.large_string())
    vocabulary = encoded.chunks[-1].dictionary if encoded.num_chunks else none
    if all(c.dictionary.equals(vocabulary) for c in encoded.chunks):  # one memo table
        parts = [c.indices.to_numpy(zero_copy_only=False) for c in encoded.chunks]
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    else:
        single = pc.dictionary_encode(encoded.dictionary_decode().combine_chunks())
        codes, vocabulary = single.indices.to_numpy(zero_copy_only=False), single.dictionary
    return np.split(codes, lengths), vocabulary  # int32: half the bytes to mask and gather


def sorted_codes(
    codes: list[np.ndarray], vocabulary: Any, keep: np.ndarray | None = None
) -> tuple[list[np.ndarray], list[str]]:
    """:func:`text_codes`' codes renumbered ``0..n-1`` in the sorted order of the ``n`` values
    the rows in ``keep`` use, on those rows only, and those values (``names[code]``)."""
    if keep is not None:
        codes = [c[keep] for c in codes]
    seen = np.zeros(len(vocabulary), dtype=bool)
    for c in codes:
        seen[c if not len(c) or c.min() >= 0 else c[c >= 0]] = True  # -1: missing (pandas)
    used = np.flatnonzero(seen)
    if isinstance(vocabulary, pa.Array):
        used = used[pc.sort_indices(vocabulary.take(pa.array(used))).to_numpy()]
        names = vocabulary.take(pa.array(used)).to_pylist()
    else:  # already sorted by pandas
        names = [str(x) for x in vocabulary[used]]
    rank = np.full(len(vocabulary) + 1, -1, dtype=np.int64)  # rank[-1] == -1
    rank[used] = np.arange(len(used))
    return [rank[c] for c in codes], names


def positions(values: Any, index: Any) -> np.ndarray:
    """Position of each of ``values`` in ``index`` (its first, for a repeated one; ``-1`` if
    absent), as ``pd.Index(index).get_indexer(values)``: Arrow's hash lookup for text, else
    pandas on the distinct values.

    >>> positions(pd.Series(["b", "x", "a", "b"]), pd.Series(["a", "b"])).tolist()
    [1, -1, 0, 1]
    """
    text = arrow_text(values)
    names = arrow_text(index) if text is not None else None
    if text is not None and names is not None:
        found = pc.index_in(text, value_set=names.combine_chunks()).fill_null(-1)
        return found.to_numpy().astype(np.int64)
    codes, uniques = pd.factorize(pd.Series(values))
    distinct = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
    found = pd.Index(pd.Series(index).to_numpy(dtype=object), dtype=object).get_indexer(distinct)
    return np.where(codes >= 0, found[np.maximum(codes, 0)], -1)


def group_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)`` for non-negative integer keys: the distinct keys
    sorted and each row's position among them. When a key and a row number fit in 64 bits
    together, one plain sort of ``key << bits | row`` replaces the argsort (half the time).

    >>> uniq, inv = group_codes(np.array([7, 3, 7, 0]))
    >>> uniq.tolist(), inv.tolist()
    ([0, 3, 7], [2, 1, 2, 0])
    """
    m = len(key)
    bits = max((m - 1).bit_length(), 1)
    if not m or key.min() < 0 or int(key.max()).bit_length() + bits > 64:
        uniq, inv = np.unique(key, return_inverse=True)
        return uniq, inv.reshape(-1)
    shift = np.uint64(bits)
    packed = np.sort((key.astype(np.uint64) << shift) | np.arange(m, dtype=np.uint64))
    rows = (packed & np.uint64((1 << bits) - 1)).astype(np.int64)
    packed >>= shift
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(packed[1:], packed[:-1], out=new[1:])
    inv = np.empty(m, dtype=np.int64)
    inv[rows] = np.cumsum(new) - 1
    return packed[new].astype(key.dtype), inv
