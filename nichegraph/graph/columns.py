"""Column values: vectorised parsers that turn raw cells into canonical, typed columns.

Every reader hands the canonicaliser raw cells (strings, numbers or datetimes); these pure
functions give typed columns and masks of the cells that failed: :func:`parse_timestamps`
(ISO-8601, common export formats, Unix seconds or milliseconds), :func:`parse_weights`,
:func:`as_text`. A column where most cells fail raises :class:`InputError` naming it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .cells import arrow_strings, cell_bytes, stripped

__all__ = [
    "TIME_DTYPE",
    "DateOrder",
    "ParsedColumn",
    "as_text",
    "date_order",
    "parse_timestamps",
    "parse_weights",
]

TIME_DTYPE = "datetime64[us, UTC]"
"""The dtype of the canonical ``timestamp`` column."""

_MS_THRESHOLD = 1e11  # numeric timestamps above this are Unix milliseconds (year 5138 in s)
# A non-ISO timestamp is only guessed at when it names a year or a d/m/y date: dateutil
# would otherwise fill a bare "July 4" or "Monday" with year 1 or today's date.
_DATE_LIKE = r"\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}"
# Date formats of common exports, tried (strictly, at C speed) before any guessing.
_KNOWN_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter API v1.1 created_at
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822 (RSS, e-mail)
    "%Y-%m-%d %H:%M:%S %z",  # offset after a space
    "%Y-%m-%d %H:%M:%S UTC",
    "%m/%d/%Y %I:%M:%S %p",  # US spreadsheets (NodeXL in Excel)
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
# A numeric date: two numbers of 1-2 digits and a year of 2 or 4 digits, one separator.
_DMY = (
    r"^(?P<pre>\s*)(?P<a>\d{1,2})(?P<s1>[/.\-])(?P<b>\d{1,2})(?P<s2>(?P=s1))(?=\d{2}(?:\d{2})?\b)"
)
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_PLAIN_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$"


@dataclass(frozen=True)
class ParsedColumn:
    """A parsed column: ``values`` (same index as the input), boolean masks of the cells that
    are not of the column's type (``bad``) or out of its range (``invalid``), and notes."""

    values: pd.Series
    bad: np.ndarray
    invalid: np.ndarray
    notes: tuple[str, ...] = ()


def _data_row(position: int) -> int:
    return position + 1


def as_text(values: pd.Series) -> pd.Series:
    """Any column as pandas ``str`` (missing stays missing); integral floats lose their ``.0``.

    >>> as_text(pd.Series([12.0, None, 3.0])).tolist()
    ['12', nan, '3']
    """
    if pd.api.types.is_float_dtype(values.dtype):
        v = values.to_numpy(dtype="float64", na_value=np.nan)
        finite = v[~np.isnan(v)]
        if np.isfinite(finite).all() and (finite == np.floor(finite)).all():
            return values.astype("Int64").astype("str")
    return values.astype("str")


def _is_number_dtype(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _present(text: pd.Series) -> np.ndarray:
    return (text.notna() & (text != "")).to_numpy(dtype=bool)


def _check_mostly_valid(
    bad: np.ndarray,
    present: np.ndarray,
    column: str,
    value_at: Callable[[int], Any],
    row_number: Callable[[int], int],
    what: tuple[str, str, str],
) -> None:
    """Raise when more than half of the present values fail: it is probably the wrong column.

    ``what`` is (what the column should hold, why a value fails, the canonical field).
    """
    n_bad, n_present = int(bad.sum()), int(present.sum())
    if n_bad * 2 > n_present:
        holds, because, field = what
        position = int(np.argmax(bad))
        raise InputError(
            f"column {column!r} does not hold {holds}: {value_at(position)!r} "
            f"(row {row_number(position)}) {because}; {n_bad} of {n_present} values "
            f"failed; map another column with --map {field}=COLUMN"
        )


def parse_timestamps(
    values: pd.Series,
    *,
    column: str,
    row_number: Callable[[int], int] = _data_row,
    dayfirst: bool | None = None,
    default_order: bool | None = None,
) -> ParsedColumn:
    """Timestamps as :data:`TIME_DTYPE` (vectorised).

    Accepts datetimes (naive = UTC), ISO-8601 strings (naive = UTC, offsets converted), other
    date strings that name a year (format guessed), and numbers or numeric strings as Unix
    seconds, or milliseconds above 1e11. Empty cells become NaT. ``bad`` marks non-empty cells
    that could not be parsed. When more than half of the non-empty cells fail, the column does
    not hold timestamps: :class:`InputError` naming ``column`` and the first failure (its row
    from ``row_number(position)``).

    Numeric dates (``28/06/2026``, ``06.28.26``, ``6-28-2026 2:05 PM``) are read in one order
    for the whole column (:func:`date_order`): ``dayfirst`` (True/False) forces it, values
    impossible in that order are bad; else a value that reads one way only settles it; else
    ``default_order`` (a format's convention, e.g. NodeXL's US dates); else
    :class:`InputError` when the two orders give different dates.

    >>> parse_timestamps(pd.Series(["2012-07-01T02:00:00+02:00", ""]), column="t").values[0]
    Timestamp('2012-07-01 00:00:00+0000', tz='UTC')
    """
    dtype = values.dtype
    none = np.zeros(len(values), dtype=bool)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return ParsedColumn(values.dt.tz_convert("UTC").astype(TIME_DTYPE), none, none)
    if pd.api.types.is_datetime64_dtype(dtype):
        return ParsedColumn(values.dt.tz_localize("UTC").astype(TIME_DTYPE), none, none)
    if _is_number_dtype(dtype):
        numbers = values.astype("float64")
        stamps, note = _from_unix(numbers, column)
        return ParsedColumn(stamps, (numbers.notna() & stamps.isna()).to_numpy(bool), none, note)

    text = stripped(as_text(values)).reset_index(drop=True)  # labels are positions
    present = _present(text)
    if not present.any():
        empty = pd.Series(pd.NaT, index=values.index, dtype=TIME_DTYPE)
        note = f"column {column!r} has no timestamps (every cell is empty)"
        return ParsedColumn(empty, none, none, (note,))
    text = text.where(present)
    notes: tuple[str, ...] = ()
    first = text.iloc[int(np.argmax(present))]
    if re.fullmatch(_NUMBER, first) and text[present].str.fullmatch(_NUMBER).all():
        stamps, notes = _from_unix(_numbers(text), column)
    elif (plain := _plain_iso(text)) is not None:
        stamps = plain
    else:
        stamps = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
        stamps = stamps.astype(TIME_DTYPE)
        rest = text[present & stamps.isna().to_numpy(dtype=bool)]
        rest = rest[rest.str.contains(_DATE_LIKE)]
        if len(rest):
            order = date_order(rest, column, row_number, dayfirst, default_order)
            rest = rest.drop(order.impossible)  # never guessed the other way round
            guessed = _guess_dates(_month_first(rest) if order.dayfirst else rest)
            stamps[guessed.index] = guessed
            used = guessed.index[guessed.notna().to_numpy(dtype=bool)]
            if len(used):
                notes = (
                    f"{len(used)} value(s) in column {column!r} are not ISO-8601 and were read "
                    f"by their apparent format{order.how}, e.g. "
                    f"{text[used[0]]!r} (row {row_number(used[0])})",
                )
    bad = present & stamps.isna().to_numpy(dtype=bool)
    _check_mostly_valid(bad, present, column, lambda i: text[i], row_number,
                        ("timestamps", "could not be parsed", "timestamp"))  # fmt: skip
    stamps.index = values.index
    return ParsedColumn(stamps, bad, none, notes)


def _plain_iso(text: pd.Series) -> pd.Series | None:
    """``text`` read by Arrow's ISO-8601 parser when every value is a plain UTC
    ``YYYY-MM-DD[T ]hh:mm:ss[.ffffff]Z`` that it accepts (pandas' ISO8601 parser reads the
    same instants, at twice the cost); None when any is not (pandas decides)."""
    values = arrow_strings(text, convert=True)
    if values is None:
        return None
    regex = pc.match_substring_regex  # skips nulls
    if not (_fixed_plain_iso(values) or pc.all(regex(values, _PLAIN_ISO)).as_py()):
        return None
    try:
        stamps = pc.cast(values, pa.timestamp("us", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. 2021-02-29: pandas decides
        return None
    return pd.Series(stamps.to_pandas(), index=text.index).astype(TIME_DTYPE)


_ISO_LOW = np.frombuffer(b"0000-00-00 00:00:00Z", dtype=np.uint8)
_ISO_SPAN = np.frombuffer(b"9999-99-99T99:99:99Z", dtype=np.uint8) - _ISO_LOW


def _fixed_plain_iso(values: pa.Array | pa.ChunkedArray) -> bool:
    """True when every cell is ``YYYY-MM-DD[T ]hh:mm:ssZ`` (20 ASCII characters), checked
    byte by byte on the whole buffer (what :data:`_PLAIN_ISO` matches without a fraction);
    False when one is not or the check cannot tell (nulls, other lengths: the regex decides)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    width = len(_ISO_LOW)
    for chunk in chunks:
        if chunk.null_count:
            return False
        offsets, data = cell_bytes(chunk)
        if not len(offsets):
            continue
        if not (offsets == offsets[0] + width * np.arange(len(offsets))).all():
            return False
        cells = data[offsets[0] : offsets[-1]].reshape(-1, width)
        if not ((cells - _ISO_LOW) <= _ISO_SPAN).all():  # uint8: below LOW wraps round
            return False
        if not ((cells[:, 10] == ord("T")) | (cells[:, 10] == ord(" "))).all():
            return False
    return True


def _numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` as float64. Integers below 2**53 go through
    Arrow's cast (exact, as pandas reads them, at a twentieth of the cost); anything else
    (fractions, exponents, larger numbers) through pandas."""
    arr = arrow_strings(text)
    if arr is not None:
        try:
            ints = pc.cast(arr, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            ints = None
        if ints is not None:
            low, high = pc.min_max(ints).values()
            if low.as_py() is None or max(-low.as_py(), high.as_py()) < 2**53:
                numbers = ints.to_numpy(zero_copy_only=False).astype("float64")
                return pd.Series(numbers, index=text.index)
    return pd.to_numeric(text, errors="coerce").astype("float64")


@dataclass(frozen=True)
class DateOrder:
    """How a column's numeric dates are read: ``dayfirst``, why (``how``, for the note; empty
    when the column has no numeric dates) and the labels of values impossible in that order."""

    dayfirst: bool
    how: str
    impossible: pd.Index


def date_order(
    text: pd.Series,
    column: str,
    row_number: Callable[[int], int] = _data_row,
    dayfirst: bool | None = None,
    default_order: bool | None = None,
) -> DateOrder:
    """The day/month order of a column's numeric dates (``D/M/Y`` or ``M/D/Y``, any of
    ``/ . -``), decided once for the column.

    ``dayfirst`` given: that order, and the values it cannot read (``28/06`` month first) are
    listed as impossible. Otherwise a value whose first number is above 12 settles day first,
    one whose second is, month first (both in one column: :class:`InputError`). With nothing
    settled, ``default_order`` (a format's convention) applies; without one, the column raises
    :class:`InputError` if some value reads as two different dates (``03/06/2026``), and is
    read month first if none does (``05/05/2026`` is the same date either way).

    >>> date_order(pd.Series(["03/06/2026", "28/06/2026 14:05"]), "t").how
    " (day first, as row 2 '28/06/2026 14:05' shows)"
    """
    parts = text.str.extract(_DMY)
    dmy = parts["a"].notna().to_numpy(dtype=bool)
    none = pd.Index([])
    if not dmy.any():
        return DateOrder(False, "", none)
    first = pd.to_numeric(parts["a"]).to_numpy(dtype=float)
    second = pd.to_numeric(parts["b"]).to_numpy(dtype=float)
    day_only = dmy & (first > 12) & (second <= 12)
    month_only = dmy & (second > 12) & (first <= 12)
    if dayfirst is not None:
        flag = "--dayfirst" if dayfirst else "--monthfirst"
        impossible = text.index[month_only if dayfirst else day_only]
        return DateOrder(bool(dayfirst), f" ({'day' if dayfirst else 'month'} first: {flag})",
                         impossible)  # fmt: skip

    def example(mask: np.ndarray) -> str:
        i = int(np.argmax(mask))
        return f"{text.iloc[i]!r} (row {row_number(int(text.index[i]))})"

    if day_only.any() and month_only.any():
        raise InputError(
            f"column {column!r} mixes day-first dates such as {example(day_only)} and "
            f"month-first dates such as {example(month_only)}; fix the column or pass "
            "--dayfirst or --monthfirst (values impossible in that order are skipped)"
        )
    if day_only.any() or month_only.any():
        settles = day_only if day_only.any() else month_only
        which = "day" if day_only.any() else "month"
        i = int(np.argmax(settles))
        how = f" ({which} first, as row {row_number(int(text.index[i]))} {text.iloc[i]!r} shows)"
        return DateOrder(bool(day_only.any()), how, none)
    if default_order is not None:
        which = "day" if default_order else "month"
        return DateOrder(default_order, f" ({which} first, as the format writes dates)", none)
    differs = dmy & (first != second)
    if differs.any():
        raise InputError(
            f"column {column!r} has dates that read two ways, e.g. {example(differs)}, and none "
            "that settles the order (a day above 12); pass --dayfirst (28/06/2026) or "
            "--monthfirst (06/28/2026)"
        )
    return DateOrder(False, "", none)


def _month_first(text: pd.Series) -> pd.Series:
    """Numeric day-first dates rewritten month first (``28/06/26`` → ``06/28/26``)."""
    return text.str.replace(_DMY, r"\g<pre>\g<b>\g<s1>\g<a>\g<s2>", regex=True)


def _guess_dates(text: pd.Series) -> pd.Series:
    """Non-ISO date strings: common export formats at C speed (Arrow), then the format of
    the first remaining value (pandas), then dateutil on each distinct remaining value."""
    guessed = pd.Series(pd.NaT, index=text.index, dtype=TIME_DTYPE)
    todo = text
    for fmt in _KNOWN_FORMATS:
        if len(todo) and _strptime(todo.iloc[:1], fmt).notna().iloc[0]:
            parsed = _strptime(todo, fmt)
            done = parsed.notna().to_numpy(dtype=bool)
            guessed[parsed.index[done]] = parsed[done]
            todo = todo[~done]
    if len(todo):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "could not infer format" is expected here
            parsed = pd.to_datetime(todo, utc=True, errors="coerce").astype(TIME_DTYPE)
            guessed[todo.index] = parsed
            todo = todo[parsed.isna().to_numpy(dtype=bool)]
            if len(todo):
                codes, uniques = pd.factorize(todo)
                mixed = pd.to_datetime(
                    pd.Series(uniques), format="mixed", utc=True, errors="coerce"
                )
                guessed[todo.index] = mixed.astype(TIME_DTYPE).to_numpy()[codes]
    return guessed


def _strptime(text: pd.Series, fmt: str) -> pd.Series:
    """Arrow's strptime (strict, vectorised); naive results are UTC."""
    array = pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.string())
    parsed = pc.strptime(array, format=fmt, unit="us", error_is_null=True).to_pandas()
    parsed.index = text.index
    if parsed.dt.tz is None:
        parsed = parsed.dt.tz_localize("UTC")
    return parsed.astype(TIME_DTYPE)


def _from_unix(numbers: pd.Series, column: str) -> tuple[pd.Series, tuple[str, ...]]:
    """Unix seconds, or milliseconds for values above 1e11, as :data:`TIME_DTYPE`."""
    v = numbers.to_numpy(dtype="float64", na_value=np.nan)
    millis = np.abs(v) > _MS_THRESHOLD
    micros = np.where(millis, v * 1e3, v * 1e6)
    ok = np.isfinite(micros) & (np.abs(micros) < 9.2e18)
    ints = np.full(len(v), np.iinfo(np.int64).min, dtype=np.int64)  # int64 min is NaT
    ints[ok] = np.round(micros[ok]).astype(np.int64)
    stamps = pd.Series(ints.view("datetime64[us]"), index=numbers.index).dt.tz_localize("UTC")
    n_ms, n_s = int((millis & ok).sum()), int((~millis & ok).sum())
    if n_ms and n_s:
        unit = f"Unix seconds, and {n_ms} value(s) above 1e11 as milliseconds"
    else:
        unit = "Unix milliseconds" if n_ms else "Unix seconds"
    return stamps.astype(TIME_DTYPE), (f"column {column!r} holds numbers: read as {unit}",)


def parse_weights(
    values: pd.Series, *, column: str, row_number: Callable[[int], int] = _data_row
) -> ParsedColumn:
    """Weights as float64 (vectorised); empty cells count as 1.0.

    ``bad`` marks non-numeric cells, ``invalid`` negative or non-finite ones (``inf``,
    ``nan``). When more than half of the non-empty cells are non-numeric, the column does not
    hold weights: :class:`InputError` naming ``column`` and the first failure.

    >>> parse_weights(pd.Series(["2", "", "-1", "x", "1.5"]), column="w").values.tolist()
    [2.0, 1.0, -1.0, 1.0, 1.5]
    """
    if _is_number_dtype(values.dtype):
        numbers = values.astype("float64")
        present = numbers.notna().to_numpy(dtype=bool)
        bad = nan_text = np.zeros(len(values), dtype=bool)
    else:
        text = as_text(values).str.strip()
        present = _present(text)
        numbers = pd.to_numeric(text.where(present), errors="coerce").astype("float64")
        nan_text = text.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy(dtype=bool)
        bad = present & numbers.isna().to_numpy(dtype=bool) & ~nan_text
        _check_mostly_valid(bad, present, column, lambda i: text.iloc[i], row_number,
                            ("numeric weights", "is not a number", "weight"))  # fmt: skip
    v = numbers.to_numpy(dtype="float64", na_value=np.nan)
    invalid = present & ~bad & (~np.isfinite(v) | (v < 0) | nan_text)
    n_empty = int((~present).sum())
    notes = (f"{n_empty} row(s) have no weight in column {column!r}; counted as 1.0",)
    weights = pd.Series(np.where(present & ~bad, v, 1.0), index=values.index, dtype="float64")
    return ParsedColumn(weights, bad, invalid, notes if n_empty else ())
