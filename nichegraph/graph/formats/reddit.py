"""Reddit archives: JSON Lines (or an array) of comments and submissions, Pushshift-style.

Records carry the usual fields: ``id``, ``author``, ``parent_id`` (``t1_…`` a comment,
``t3_…`` a submission), ``link_id``, ``subreddit``, ``created_utc`` (Unix seconds, as a number
or a string), ``body`` (comments), ``title`` and ``selftext`` (submissions). Comments and
submissions may sit in the same file or in several (one per day, or ``RC_``/``RS_`` dumps):
all files of the format are read together, so a parent is found wherever it is.

A comment's target is the author of its parent, found by one vectorised join on the parent's
full name (``t1_`` + id for comments, ``t3_`` + id for submissions): kind *comment* when the
parent is a submission, *reply* when it is a comment. A submission is one *post* row of its
author. Skipped and counted: ``[deleted]``/``[removed]`` authors (``deleted_author``), parents
whose author is deleted (``deleted_target``), parents not in the archive (``parent_missing``),
records seen twice (``duplicate_record``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .base import RawPart, ReadOptions, SourceFile
from .jsonio import Lookup, candidates, finish_part, read_records, strings

__all__ = ["DELETED", "SCHEMA", "read_reddit"]

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("author", pa.string()),
        ("parent_id", pa.string()),
        ("link_id", pa.string()),
        ("created_utc", pa.float64()),
        ("body", pa.string()),
        ("title", pa.string()),
        ("selftext", pa.string()),
    ]
)
"""The fields read from each record; everything else (score, subreddit, …) is ignored."""

DELETED = ("[deleted]", "[removed]")
"""Author values of deleted accounts and removed content."""

MAPPING = {
    "source": "author",
    "target": "author of parent_id (t1_ comment, t3_ submission)",
    "kind": "comment (parent t3_), reply (parent t1_); post for a submission",
    "timestamp": "created_utc",
    "text": "body; title + selftext for a submission",
}


def read_reddit(files: list[tuple[SourceFile, str | None]], opts: ReadOptions) -> RawPart:
    """Every record of every file as one :class:`RawPart` (parents resolve across files)."""
    frames, infos = [], []
    for file, layout in files:
        table = read_records(file, layout, SCHEMA, flexible=("created_utc",))
        frames.append(pd.DataFrame({name: strings(table[name]) for name in SCHEMA.names}))
        infos.append(file.info("reddit", records=table.num_rows))
    rec = pd.concat(frames, ignore_index=True)
    is_comment = rec["parent_id"].notna().to_numpy(dtype=bool)
    fullname = rec["name"].where(
        rec["name"].notna(), np.where(is_comment, "t1_", "t3_") + rec["id"].fillna("")
    )
    fullname = fullname.where(rec["id"].notna() | rec["name"].notna())
    duplicate = (fullname.duplicated() & fullname.notna()).to_numpy(dtype=bool)
    author = rec["author"].str.strip()
    deleted = (author.isin(DELETED) | author.isna() | (author == "")).to_numpy(dtype=bool)
    reason = np.where(duplicate, "duplicate_record", np.where(deleted, "deleted_author", None))

    selftext = rec["selftext"].fillna("").str.strip()
    post_text = rec["title"].fillna("") + ("\n\n" + selftext).where(selftext != "", "")
    records = pd.DataFrame(
        {
            "source": author,
            "timestamp": rec["created_utc"],
            "text": rec["body"].where(is_comment, post_text),
            "reason": reason,
        }
    )
    owner = Lookup(fullname, author.fillna(""))
    parent = rec["parent_id"][is_comment].str.strip()
    target = owner(parent)
    gone = target.isin(DELETED)
    why = pd.Series(np.where(gone, "deleted_target", "parent_missing"), index=target.index)
    target = target.where(~gone)
    on_post = parent.str.startswith("t3_").to_numpy(dtype=bool)
    on_comment = parent.str.startswith("t1_").to_numpy(dtype=bool)
    rows = np.flatnonzero(is_comment)
    other = ~on_post & ~on_comment  # not a t1_/t3_ full name: no parent to find
    nobody = pd.Series(None, index=range(int(other.sum())), dtype=object)
    pieces = [
        candidates(rows[on_post], target[on_post], "comment", why[on_post]),
        candidates(rows[on_comment], target[on_comment], "reply", why[on_comment]),
        candidates(rows[other], nobody, "reply", "parent_missing"),
    ]
    notes = []
    if opts.mapping or opts.columns:
        notes.append("--map and --columns do not apply to Reddit archives (their fields are fixed)")
    return finish_part(
        "reddit", files, infos, list(SCHEMA.names), dict(MAPPING), records, pieces, duplicate, notes
    )
