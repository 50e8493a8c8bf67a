"""Pseudonymised outputs: every handle becomes a keyed hash, text is left out.

A pseudonym is ``p_`` followed by the first 16 hex digits of HMAC-SHA256(key, name as UTF-8).
The same key gives the same pseudonyms in every run, so runs stay comparable; without the key
a pseudonym cannot be turned back into a handle, nor checked against a guessed one. The key is
never written anywhere. 16 hex digits (64 bits) keep accidental collisions out of reach (about
3 in 10^8 for a million names); a collision is an error, never a silent merge.

:class:`Pseudonymiser` applies this to the run's data as soon as it is read (so every output
derived from it carries pseudonyms only, and ``text`` is gone before anything can quote it) and
scrubs ``run.json`` (:meth:`Pseudonymiser.manifest`): input paths are withheld (the path
fields whole; inside notes, every input path and every path component of 3 or more characters
is replaced by ``<withheld>``), a header line replaced by ``--columns`` (which may hold handles)
is not quoted, and any other text that quotes a handle or a person's name (case-insensitively)
is withheld.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, NichegraphError
from ..graph.build import InteractionGraph
from ..graph.handles import take_text
from ..graph.read import Interactions

__all__ = [
    "KEY_ENV",
    "MIN_KEY_BYTES",
    "PREFIX",
    "WITHHELD",
    "Pseudonymiser",
    "load_key",
    "path_terms",
    "protected_terms",
    "pseudonym",
]

KEY_ENV = "NICHEGRAPH_KEY"
"""Environment variable holding the key when no key file is given."""

PREFIX = "p_"
DIGITS = 16
MIN_KEY_BYTES = 16
"""A shorter key could be found by trying keys against one known handle."""

WITHHELD = "<withheld>"

_PATH_KEYS = {
    ("input", "source"),
    ("input", "files", "path"),
    ("parameters", "people"),
    ("identity", "source"),
}  # user-chosen paths are often named after the people in them: always withheld
_DATA_KEYED = {("input", "kinds"), ("graph", "kind_weights"), ("parameters", "kind_weights")}
_OWN_SECTIONS = {"nichegraph", "written_at", "files", "versions", "timings", "pseudonymisation"}
_OWN_KEYS = {"sha256", "time_min", "time_max", "reference_time", "format", "compression"}
_REPLACED_HEADER = "header line replaced by --columns: "  # the reader's note; quotes the line
_MIN_COMPONENT = 3


def load_key(
    key: str | bytes | None = None,
    *,
    key_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> bytes:
    """The key: ``key``, else the content of ``key_file``, else ``$NICHEGRAPH_KEY``.

    Surrounding whitespace (a trailing newline) is stripped. No key, an empty key or one
    shorter than 16 bytes is an :class:`InputError`.

    >>> load_key(environ={"NICHEGRAPH_KEY": "correct horse battery staple"})
    b'correct horse battery staple'
    """
    fix = "e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
    if key is not None:
        value, where = key, "the key"
    elif key_file is not None:
        path = Path(os.fspath(key_file))
        if not path.is_file():
            raise InputError(f"key file {path} not found; pass a file holding the key ({fix})")
        value, where = path.read_bytes(), f"key file {path}"
    else:
        env = os.environ if environ is None else environ
        if KEY_ENV not in env:
            raise InputError(
                f"--pseudonymise needs a key: set {KEY_ENV} or pass --key-file FILE ({fix})"
            )
        value, where = env[KEY_ENV], KEY_ENV
    raw = (value.encode("utf-8") if isinstance(value, str) else bytes(value)).strip()
    if not raw:
        raise InputError(f"{where} is empty; --pseudonymise needs a key ({fix})")
    if len(raw) < MIN_KEY_BYTES:
        raise InputError(
            f"{where} is {len(raw)} bytes; a key needs at least {MIN_KEY_BYTES} ({fix})"
        )
    return raw


def pseudonym(name: str, key: bytes) -> str:
    """The pseudonym of one name.

    >>> pseudonym("ann", b"0123456789abcdef")
    'p_...'
    >>> pseudonym("ann", b"0123456789abcdef") == pseudonym("ann", b"0123456789abcdef")
    True
    """
    return PREFIX + hmac.digest(key, str(name).encode("utf-8"), "sha256").hex()[:DIGITS]


@dataclass(frozen=True, eq=False)
class Pseudonymiser:
    """Applies one key to a run's data and to its ``run.json``; the key is never shown.

    The pipeline pseudonymises the data, not the files: right after reading it replaces every
    ``source``/``target`` with its pseudonym and drops ``text`` (:meth:`interactions`), and
    renames the graph's vertices (:meth:`graph`, order kept, so the segmentation is the one
    the raw names give). Every output derived from them (segments, influencers, summaries,
    profiles, flows, the terminal summary) then holds pseudonyms only. ``protected`` are the
    strings that identify someone; text in ``run.json`` quoting one of them is withheld.

    >>> p = Pseudonymiser(b"0123456789abcdef", frozenset({"ann"}))
    >>> p.names(pd.Series(["ann", "bo", "ann"])).str.len().tolist()
    [18, 18, 18]
    >>> p.manifest({"input": {"source": "/data/ann.csv", "problems": ["ANN sent 3 rows", "ok"]}})
    {'input': {'source': '<withheld>', 'problems': ['<withheld>', 'ok']}}
    >>> q = Pseudonymiser(b"0123456789abcdef", paths=path_terms(["/srv/logs/june.csv"]))
    >>> q.manifest({"input": {"problems": ["/srv/logs/june.csv: 2 rows skipped"]}})
    {'input': {'problems': ['<withheld>: 2 rows skipped']}}
    """

    key: bytes = field(repr=False)
    protected: frozenset[str] = field(default=frozenset(), repr=False)
    paths: frozenset[str] = field(default=frozenset(), repr=False)
    _done: dict[str, str] = field(default_factory=dict, repr=False, init=False)

    def names(self, values: pd.Series) -> pd.Series:
        """Pseudonyms of a column of names (computed once per distinct name)."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return take_text(self._hash(uniques), codes, values.index)

    def _hash(self, uniques: Any) -> np.ndarray:
        key, done = self.key, self._done  # names seen before (the graph's) are not hashed again
        names = np.asarray(uniques, dtype=object).astype(str).tolist()
        for u in names:
            if u not in done:
                done[u] = PREFIX + hmac.digest(key, u.encode("utf-8"), "sha256").hex()[:DIGITS]
        hashed = [done[u] for u in names]
        if len(set(hashed)) != len(hashed):
            raise NichegraphError(
                "two names got the same pseudonym (a 64-bit collision); run again with another key"
            )
        return np.array(hashed, dtype=object)

    def interactions(self, interactions: Interactions) -> Interactions:
        """``source``/``target`` pseudonymised, ``text`` dropped, the identity report's handles
        pseudonymised (``platform:`` + pseudonym of ``platform:normalised handle``)."""
        table = interactions.table.drop(columns=["text"], errors="ignore").copy()
        n = len(table)
        codes, uniques = pd.factorize(pd.concat([table["source"], table["target"]]))
        hashed = self._hash(uniques)  # once per name, whichever side it is on
        table["source"] = take_text(hashed, codes[:n], table.index)
        table["target"] = take_text(hashed, codes[n:], table.index)
        identity = interactions.identity
        if identity is not None:
            h = identity.handles.copy()
            h["person"] = self.names(h["person"])
            h["handle"] = h["key"] = self.names(h["platform"] + ":" + h["key"])
            identity = replace(identity, handles=h, relabelled=())
        return replace(interactions, table=table, identity=identity)

    def graph(self, graph: InteractionGraph) -> InteractionGraph:
        """Renames the vertices of ``graph`` *in place* (vertex order and ids are kept)."""
        if graph.graph.vcount():
            graph.graph.vs["name"] = self.names(pd.Series(graph.names, dtype=object)).tolist()
        return graph

    def manifest(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``run.json`` content without paths, and without any text quoting a protected name."""
        terms = {t.casefold() for t in self.protected if t}
        lengths = sorted({len(t) for t in terms})
        paths = sorted(self.paths, key=len, reverse=True)  # a whole path before its parts

        def scrub(text: str) -> str:
            if _REPLACED_HEADER in text:
                text = text[: text.index(_REPLACED_HEADER) + len(_REPLACED_HEADER)] + WITHHELD
            for p in paths:
                text = text.replace(p, WITHHELD)
            return text

        def quotes(text: str) -> bool:
            low = text.casefold()
            return any(
                low[i : i + n] in terms for n in lengths if n <= len(low)
                for i in range(len(low) - n + 1)
            )  # fmt: skip

        def walk(value: Any, path: tuple[str, ...]) -> Any:
            if path in _PATH_KEYS:
                return None if value is None else WITHHELD
            if path and (path[0] in _OWN_SECTIONS or path[-1] in _OWN_KEYS):
                return value
            if isinstance(value, Mapping):
                out: dict[str, Any] = {}
                for i, (k, v) in enumerate(value.items()):
                    name = str(k)
                    if path in _DATA_KEYED and quotes(name):
                        name = f"{WITHHELD} {i + 1}"
                    out[name] = walk(v, (*path, str(k)))
                return out
            if isinstance(value, list | tuple):
                return [walk(v, path) for v in value]
            if isinstance(value, str):
                value = scrub(value)
                return WITHHELD if quotes(value) else value
            return value

        return walk(dict(data), ())


def path_terms(paths: Iterable[Any]) -> frozenset[str]:
    """Input paths as given, absolute and resolved, and their components of 3+ characters.

    >>> sorted(path_terms(["/srv/ann/x.csv"]))
    ['/srv/ann/x.csv', 'ann', 'srv', 'x.csv']
    """
    out: set[str] = set()
    for p in paths:
        if not isinstance(p, str | os.PathLike):
            continue
        given = os.fspath(p)
        for form in {given, os.path.abspath(given), os.path.realpath(given)}:
            out.add(form)
            out.update(c for c in Path(form).parts if len(c.strip("/\\")) >= _MIN_COMPONENT)
    return frozenset(out)


def protected_terms(*groups: Iterable[Any]) -> frozenset[str]:
    """The distinct non-empty strings of several collections (names, handles).

    >>> sorted(protected_terms(["ann", "bo"], pd.Series(["bo", None])))
    ['ann', 'bo']
    """
    out: set[str] = set()
    for g in groups:
        distinct = g.unique() if isinstance(g, pd.Series) else pd.unique(np.array(list(g), object))
        out.update(
            v for v in np.asarray(distinct, dtype=object).tolist() if isinstance(v, str) and v
        )
    return frozenset(out)
