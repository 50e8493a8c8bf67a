"""The sample interaction logs shipped with nichegraph, and the writer that made them.

Data files live in the repository's ``datasets/`` folder, installed as the package
``nichegraph._datasets``; each sample is a gzip CSV log, an optional ``*_truth.csv.gz`` with
the planted segments and influencers, and a data card.

>>> ds = load_dataset("brand_chatter")
>>> list(ds.log.columns)
['source', 'target', 'kind', 'timestamp', 'platform', 'text']
>>> str(ds.log["timestamp"].dtype)
'datetime64[us, UTC]'
"""

from __future__ import annotations

import gzip
import importlib.resources
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._repr import short_repr
from .errors import InputError, NichegraphError

__all__ = [
    "Dataset",
    "csv_gz_bytes",
    "dataset_path",
    "list_datasets",
    "load_dataset",
    "write_csv_gz",
]


@dataclass(frozen=True)
class _Entry:
    log: str
    truth: str | None
    card: str
    description: str


_REGISTRY: dict[str, _Entry] = {
    "brand_chatter": _Entry(
        log="brand_chatter.csv.gz",
        truth="brand_chatter_truth.csv.gz",
        card="CARD.md",
        description="Generated 4-week multi-platform brand conversation: 14 planted segments "
        "with 3 influencers each, one pair of closely linked segments, post texts.",
    ),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A shipped sample: ``log`` as read from ``path`` (timestamps UTC), its planted ``truth``
    (one row per person: ``person``, ``segment``, ``influencer_rank``; ``None`` if unknown)
    and its data ``card`` (Markdown text)."""

    __repr__ = short_repr

    name: str
    path: Path
    log: pd.DataFrame
    truth: pd.DataFrame | None
    card: str


def _data_file(filename: str) -> Path:
    """Path of a data file: the installed ``nichegraph._datasets``, else the source tree."""
    try:
        candidate = importlib.resources.files("nichegraph._datasets").joinpath(filename)
        if candidate.is_file():
            return Path(os.fspath(candidate))  # type: ignore[arg-type]
    except (ModuleNotFoundError, TypeError):
        pass
    path = Path(__file__).resolve().parents[1] / "datasets" / filename
    if not path.is_file():
        raise NichegraphError(f"data file {filename!r} is missing from this installation")
    return path


def _read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    if "timestamp" in frame.columns:
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    return frame


def _entry(name: str) -> _Entry:
    if name not in _REGISTRY:
        raise InputError(f"unknown dataset {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def list_datasets() -> pd.DataFrame:
    """One row per shipped sample: ``name``, ``rows`` (log rows), ``description``, ``path``.

    >>> list_datasets()["name"].tolist()
    ['brand_chatter']
    """
    rows = []
    for name, entry in sorted(_REGISTRY.items()):
        path = _data_file(entry.log)
        with gzip.open(path, "rb") as fh:
            n = sum(1 for _ in fh) - 1  # the samples hold no quoted line breaks
        rows.append({"name": name, "rows": n, "description": entry.description, "path": path})
    return pd.DataFrame(rows, columns=["name", "rows", "description", "path"])


def dataset_path(log: str) -> str:
    """``log`` itself, or the log file of the shipped sample of that name if no such path exists.

    So ``nichegraph run brand_chatter -o out`` runs the sample wherever it was installed.

    >>> dataset_path("brand_chatter").endswith("brand_chatter.csv.gz")
    True
    >>> dataset_path("my_log.csv")
    'my_log.csv'
    """
    if log in _REGISTRY and not os.path.lexists(log):
        return str(_data_file(_REGISTRY[log].log))
    return log


def load_dataset(name: str) -> Dataset:
    """Load the shipped sample ``name`` (see :func:`list_datasets`).

    >>> load_dataset("nope")
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: unknown dataset 'nope'; available: brand_chatter
    """
    entry = _entry(name)
    path = _data_file(entry.log)
    truth = _read_csv(_data_file(entry.truth)) if entry.truth else None
    card = _data_file(entry.card).read_text(encoding="utf-8")
    return Dataset(name=name, path=path, log=_read_csv(path), truth=truth, card=card)


def csv_gz_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as gzip-compressed CSV, byte-reproducible (no file name, mtime 0).

    Datetime columns must be UTC; they are written as ``2026-06-01T08:13:22Z``.

    >>> csv_gz_bytes(pd.DataFrame({"a": [1]})) == csv_gz_bytes(pd.DataFrame({"a": [1]}))
    True
    """
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%dT%H:%M:%SZ")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def write_csv_gz(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write :func:`csv_gz_bytes` of ``frame`` to ``path`` atomically (temp file, rename)."""
    from .export.csv import atomic_write

    return atomic_write(path, csv_gz_bytes(frame))
