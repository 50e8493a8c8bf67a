"""One person across platforms: a people table merges each person's handles into one node.

A people table has one row per handle: ``person``, ``platform``, ``handle``. Handles are
compared in the form each platform treats as the same account (rules and platform aliases in
:mod:`nichegraph.graph.handles`): ``@Ann`` and ``ann`` are one X account, ``/u/Ann_R`` and
``ann_r`` one Reddit account. :func:`load_people` reads and validates a table (a handle listed
for two people is an error); :func:`merge_identities` replaces every listed handle in the
canonical table's ``source``/``target`` with the person's name and reports what it merged in
an :class:`IdentityReport`.

A row of the log matches an entry of its own platform. A row without a platform (the log has
no platform column, or the cell is empty) matches when its handle, read by the rules of each
platform in the people table, names exactly one person; a handle that names two different
people on different platforms is left as it is and counted as ``ambiguous``. Values the table
does not list are kept exactly as written: the same string on a platform where it is not
listed stays a node of its own.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._repr import short_repr
from ..errors import InputError
from .handles import canonical_platform, normalise_handles, normalise_unique, take_text

if TYPE_CHECKING:
    from .read import Interactions

__all__ = [
    "PEOPLE_COLUMNS",
    "IdentityReport",
    "PeopleTable",
    "load_people",
    "merge_identities",
]

PEOPLE_COLUMNS = ("person", "platform", "handle")
"""The columns a people table must have (header case and surrounding spaces are ignored)."""


@dataclass(frozen=True, eq=False)
class PeopleTable:
    """A validated people table.

    ``entries`` has one row per distinct handle: ``person``, ``platform`` (as matched),
    ``handle`` (as written), ``key`` (normalised) and ``row`` (1-based data row of the file).
    """

    __repr__ = short_repr

    entries: pd.DataFrame
    source: str
    sha256: str | None
    duplicate_rows: int = 0

    @property
    def people(self) -> int:
        """Number of distinct people."""
        return int(self.entries["person"].nunique())


def load_people(people: str | os.PathLike[str] | pd.DataFrame | PeopleTable) -> PeopleTable:
    """Read and validate a people table (CSV, or TSV by extension; or a DataFrame).

    Every row needs a person, a platform and a handle. A handle listed (in its normalised
    form, on its platform) for two different people is an error naming it; the same handle
    listed twice for one person is counted as a duplicate row.

    >>> table = load_people(pd.DataFrame({"person": ["Ann", "Ann", "Bo"],
    ...                                   "platform": ["twitter", "reddit", "x"],
    ...                                   "handle": ["@Ann_K", "u/ann_r", "bo"]}))
    >>> table.entries[["person", "platform", "key"]].values.tolist()
    [['Ann', 'x', 'ann_k'], ['Ann', 'reddit', 'ann_r'], ['Bo', 'x', 'bo']]
    """
    if isinstance(people, PeopleTable):
        return people
    if isinstance(people, pd.DataFrame):
        return _validate(people, "<people DataFrame>", None)
    if not isinstance(people, str | os.PathLike):
        raise InputError(
            f"people must be a file path or a pandas DataFrame, got a {type(people).__name__}"
        )
    path = Path(os.fspath(people))
    label = str(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "not found"
        raise InputError(
            f"people table {label} {what}: expected a CSV file (person,platform,handle)"
        )
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"people table {label} is empty: expected a header person,platform,handle")
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skip_blank_lines=True,
        )
    except UnicodeDecodeError:
        raise InputError(
            f"people table {label} is not valid utf-8 text; save it as UTF-8"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise InputError(f"people table {label} could not be read as CSV: {reason}") from None
    return _validate(frame, label, hashlib.sha256(data).hexdigest())


def _validate(frame: pd.DataFrame, label: str, sha256: str | None) -> PeopleTable:
    found = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in PEOPLE_COLUMNS if c not in found]
    if missing:
        shown = ", ".join(str(c) for c in frame.columns) or "(none)"
        raise InputError(
            f"people table {label} has no {' and no '.join(repr(m) for m in missing)} column; "
            f"columns found: {shown}; it needs the columns person, platform, handle"
        )
    if len(frame) == 0:
        raise InputError(f"people table {label} has a header but no rows")
    cols = {c: frame[found[c]].astype("str").str.strip().mask(frame[found[c]].isna(), "")
            for c in PEOPLE_COLUMNS}  # fmt: skip
    rows = np.arange(1, len(frame) + 1)
    platform = canonical_platform(cols["platform"]).reset_index(drop=True)
    key = pd.Series(index=platform.index, dtype="str")
    for name in platform.dropna().unique():
        mask = (platform == name).to_numpy(dtype=bool)
        key[mask] = normalise_handles(cols["handle"][mask].reset_index(drop=True), name).to_numpy()
    for what, empty in (
        ("person", cols["person"].to_numpy(dtype=object) == ""),
        ("platform", platform.isna().to_numpy(dtype=bool)),
        ("handle", (key.isna() | (key == "")).to_numpy(dtype=bool) & platform.notna().to_numpy()),
    ):
        if empty.any():
            raise InputError(
                f"people table {label} row {rows[np.argmax(empty)]}: empty {what}; "
                "every row needs a person, a platform and a handle"
            )
    entries = pd.DataFrame(
        {
            "person": cols["person"].to_numpy(dtype=object),
            "platform": platform.to_numpy(dtype=object),
            "handle": cols["handle"].to_numpy(dtype=object),
            "key": key.to_numpy(dtype=object),
            "row": rows,
        }
    )
    owners = entries.groupby(["platform", "key"], sort=False)["person"].transform("nunique")
    if (owners > 1).any():
        clash = entries[owners.to_numpy() > 1]
        first = clash.iloc[0]
        other = clash[
            (clash["platform"] == first["platform"])
            & (clash["key"] == first["key"])
            & (clash["person"] != first["person"])
        ].iloc[0]
        spelt = f" as {other['handle']}" if other["handle"] != first["handle"] else ""
        raise InputError(
            f"people table {label}: handle {first['platform']}:{first['handle']} is listed for "
            f"two people, {first['person']!r} (row {first['row']}) and {other['person']!r} "
            f"(row {other['row']}{spelt}); a handle belongs to one person, remove one of the rows"
        )
    unique = entries.drop_duplicates(["platform", "key"]).reset_index(drop=True)
    return PeopleTable(unique, label, sha256, duplicate_rows=len(entries) - len(unique))


@dataclass(frozen=True, eq=False)
class IdentityReport:
    """What merging did; :meth:`to_dict` (counts and notes, no handles) goes into ``run.json``.

    ``handles`` lists every entry of the people table (``person``, ``platform``, ``handle``,
    ``in_log``); ``relabelled`` the distinct raw log values that became a person's name.
    """

    __repr__ = short_repr

    source: str
    sha256: str | None
    people: int
    handles_listed: int
    duplicate_rows: int
    people_in_log: int
    handles_in_log: int
    handles_merged: int
    people_merged: int
    rows_relabelled: int
    unplatformed_matched: int
    ambiguous: int
    nodes_before: int
    nodes_after: int
    notes: tuple[str, ...] = ()
    handles: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    relabelled: tuple[str, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Counts for ``run.json``."""
        skip = {"handles", "relabelled"}
        out = {k: v for k, v in self.__dict__.items() if k not in skip}
        out["notes"] = list(self.notes)
        return out

    def handles_by_person(self) -> pd.Series:
        """person → ``"platform:handle; …"`` as written in the people table, sorted.

        >>> people = pd.DataFrame({"person": ["Ann", "Ann"], "platform": ["x", "reddit"],
        ...                        "handle": ["@Ann_K", "u/ann_r"]})
        >>> log = pd.DataFrame({"source": ["@ann_k"], "target": ["bo"], "platform": ["x"]})
        >>> from nichegraph.graph.read import read_interactions
        >>> merge_identities(read_interactions(log), people).identity.handles_by_person()["Ann"]
        'reddit:u/ann_r; x:@Ann_K'
        """
        h = self.handles.sort_values(["person", "platform", "handle"], kind="mergesort")
        items = h["platform"].astype(object) + ":" + h["handle"].astype(object)
        return items.groupby(h["person"].to_numpy(), sort=True).agg("; ".join)

    def protected_terms(self) -> set[str]:
        """Every string that identifies someone: names, handles as written and normalised,
        and the raw log values that were relabelled."""
        h = self.handles
        terms = set(self.relabelled)
        for col in ("person", "handle", "key"):
            if col in h:
                terms.update(str(v) for v in h[col].unique())
        return terms


def merge_identities(
    interactions: Interactions, people: str | os.PathLike[str] | pd.DataFrame | PeopleTable
) -> Interactions:
    """Replace every listed handle in ``source``/``target`` with its person's name.

    Returns a copy of ``interactions`` with the merged table and ``identity`` set to an
    :class:`IdentityReport`. A person's name that is also an unlisted handle in the log would
    silently join two accounts: that is an error naming it.

    >>> from nichegraph.graph.read import read_interactions
    >>> log = pd.DataFrame({"source": ["@Ann_K", "u/ann_r", "cy"], "target": ["cy", "cy", "Ann_K"],
    ...                     "platform": ["twitter", "reddit", "x"]})
    >>> people = pd.DataFrame({"person": ["Ann", "Ann"], "platform": ["x", "reddit"],
    ...                        "handle": ["ann_k", "/u/Ann_R"]})
    >>> merged = merge_identities(read_interactions(log), people)
    >>> merged.table[["source", "target"]].values.tolist()
    [['Ann', 'cy'], ['Ann', 'cy'], ['cy', 'Ann']]
    >>> merged.identity.nodes_before, merged.identity.nodes_after, merged.identity.people_merged
    (4, 2, 1)
    """
    table = load_people(people)
    entries = table.entries
    log = interactions.table
    n = len(log)
    # one code space for every name on either side: rows 0..n-1 are sources, n..2n-1 targets
    codes, uniq = pd.factorize(pd.concat([log["source"], log["target"]], ignore_index=True))
    uniq = np.asarray(uniq, dtype=object)
    plat, plat_names = _platform_codes(log)
    plat = np.concatenate([plat, plat])
    entry_pid, persons = pd.factorize(entries["person"], sort=True)
    persons = np.asarray(persons, dtype=object)
    lookup = {
        p: (pd.Index(g["key"].to_numpy(dtype=object)), g.index.to_numpy(dtype=np.int64))
        for p, g in entries.groupby("platform", sort=True)
    }
    pid = np.full(2 * n, -1, dtype=np.int64)
    found = np.zeros(len(entries), dtype=bool)
    for k, name in enumerate(plat_names):
        if name in lookup:
            mask = plat == k
            distinct = _present(codes[mask], len(uniq))
            entry = _match(uniq[distinct], name, *lookup[name])
            found[entry[entry >= 0]] = True
            value = np.where(entry >= 0, entry_pid[entry], -1)
            pid[mask] = _spread(distinct, value, codes[mask], len(uniq))
    ambiguous = np.array([], dtype=object)
    bare = plat < 0
    if bare.any() and lookup:  # no platform: the handle must name exactly one person
        distinct = _present(codes[bare], len(uniq))
        entry = np.stack([_match(uniq[distinct], p, *lookup[p]) for p in lookup])
        cand = np.where(entry >= 0, entry_pid[entry], -1)
        ordered = np.sort(cand, axis=0)
        fresh = np.vstack([ordered[:1] >= 0, (ordered[1:] != ordered[:-1]) & (ordered[1:] >= 0)])
        count = fresh.sum(axis=0)
        ambiguous = uniq[distinct[count > 1]]
        found[entry[(entry >= 0) & (count == 1)]] = True
        value = np.where(count == 1, cand.max(axis=0), -1)
        pid[bare] = _spread(distinct, value, codes[bare], len(uniq))
    hit = pid >= 0
    _check_clashes(uniq, codes, hit, plat, plat_names, persons, table.source)

    ids = np.where(hit, len(uniq) + pid, codes)
    pairs = pd.unique(pid[hit] * len(uniq) + codes[hit])
    forms = np.bincount(pairs // len(uniq), minlength=len(persons))
    notes: list[str] = []
    missing = entries[~found]
    if len(missing):
        shown = ", ".join((missing["platform"] + ":" + missing["handle"]).head(5))
        notes.append(f"{len(missing)} handle(s) in the people table are not in the log: {shown}")
    if len(ambiguous):
        shown = ", ".join(repr(a) for a in sorted(ambiguous)[:5])
        notes.append(
            f"{len(ambiguous)} handle(s) without a platform name different people on different "
            f"platforms and were left as they are: {shown}; add a platform column to the log"
        )
    report = IdentityReport(
        source=table.source,
        sha256=table.sha256,
        people=table.people,
        handles_listed=len(entries),
        duplicate_rows=table.duplicate_rows,
        people_in_log=int(np.unique(entry_pid[found]).size),
        handles_in_log=int(found.sum()),
        handles_merged=len(pairs),
        people_merged=int((forms > 1).sum()),
        rows_relabelled=int((hit[:n] | hit[n:]).sum()),
        unplatformed_matched=int((bare & hit).reshape(2, n).any(axis=0).sum()),
        ambiguous=len(ambiguous),
        nodes_before=len(uniq),
        nodes_after=len(_present(ids, len(uniq) + len(persons))),
        notes=tuple(notes),
        handles=entries.assign(in_log=found)[["person", "platform", "handle", "key", "in_log"]],
        relabelled=tuple(sorted(str(v) for v in uniq[_present(codes[hit], len(uniq))])),
    )
    out = log.copy()
    names = np.concatenate([uniq, persons])
    out["source"] = take_text(names, ids[:n], log.index)
    out["target"] = take_text(names, ids[n:], log.index)
    return replace(interactions, table=out, identity=report)


def _platform_codes(log: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per row, the code of its platform as matched (-1: none) and the platform names."""
    if "platform" not in log:
        return np.full(len(log), -1, dtype=np.int64), []
    raw_codes, raw_names = pd.factorize(log["platform"])
    canon_codes, canon = pd.factorize(canonical_platform(pd.Series(raw_names, dtype="str")))
    lookup = np.append(canon_codes, -1)
    return lookup[np.where(raw_codes < 0, len(canon_codes), raw_codes)], [str(c) for c in canon]


def _match(values: np.ndarray, platform: str, keys: pd.Index, entries: np.ndarray) -> np.ndarray:
    """The entry number (or -1) of each distinct value, read by ``platform``'s rules."""
    pos = keys.get_indexer(normalise_unique(values, platform))
    return np.where(pos >= 0, entries[np.maximum(pos, 0)], -1)


def _present(codes: np.ndarray, size: int) -> np.ndarray:
    """The distinct codes (in ``0..size-1``) present, sorted."""
    return np.flatnonzero(np.bincount(codes, minlength=size))


def _spread(distinct: np.ndarray, value: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """``value[i]`` belongs to code ``distinct[i]``: each code's value (-1 for others)."""
    dense = np.full(size, -1, dtype=np.int64)
    dense[distinct] = value
    return dense[codes]


def _check_clashes(
    uniq: np.ndarray,
    codes: np.ndarray,
    hit: np.ndarray,
    plat: np.ndarray,
    plat_names: list[str],
    persons: np.ndarray,
    label: str,
) -> None:
    kept = _present(codes[~hit], len(uniq))
    clash = kept[pd.Index(uniq[kept]).isin(persons)]
    if len(clash):
        row = int(np.argmax(~hit & (codes == clash[0])))
        where = f" on {plat_names[plat[row]]}" if plat[row] >= 0 else ""
        raise InputError(
            f"people table {label}: person {uniq[clash[0]]!r} is also a handle{where} in the "
            "log that the table does not list, so two accounts would become one; list that "
            "handle for the right person or give the person another name"
        )
