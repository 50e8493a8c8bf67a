"""X/Twitter API v2 responses: a JSON page, JSON Lines of pages, or an array of pages.

A page is what the search, timeline and mentions endpoints return: ``data`` (tweets),
``includes.users`` and ``includes.tweets`` (the expansions), ``meta``. For each tweet of
``data`` by author A (``author_id`` resolved to a handle through ``includes.users``):

- ``in_reply_to_user_id`` → A *reply* to that user;
- ``referenced_tweets`` of type ``retweeted`` / ``quoted`` → A *retweet* / *quote* of the
  referenced tweet's author (the tweet found in ``includes.tweets`` or ``data``, its author in
  ``includes.users``); ``replied_to`` counts as a reply when ``in_reply_to_user_id`` is absent;
- ``entities.mentions[].username`` → A *mention* of that user, unless the tweet already
  replies to, retweets or quotes them (the ``@name`` a reply or retweet starts with);
- a tweet with none of these → one *post* row of A (activity, not an interaction).

Handles are lower-cased usernames (X usernames are case-insensitive). Request the expansions
``author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,
entities.mentions.username``; targets that cannot be resolved are skipped and counted
(``unresolved_user``, ``unresolved_tweet``), as are tweets seen twice (``duplicate_record``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .base import RawPart, ReadOptions, SourceFile
from .jsonio import Lookup, candidates, explode, field_of, finish_part, read_records, strings

__all__ = ["SCHEMA", "read_xapi"]

_ID = pa.string()
_TWEET = pa.struct(
    [
        ("id", _ID),
        ("author_id", _ID),
        ("created_at", pa.string()),
        ("text", pa.string()),
        ("in_reply_to_user_id", _ID),
        ("referenced_tweets", pa.list_(pa.struct([("type", pa.string()), ("id", _ID)]))),
        ("entities", pa.struct([("mentions", pa.list_(pa.struct([("username", pa.string())])))])),
    ]
)
SCHEMA = pa.schema(
    [
        ("data", pa.list_(_TWEET)),
        (
            "includes",
            pa.struct(
                [
                    ("users", pa.list_(pa.struct([("id", _ID), ("username", pa.string())]))),
                    ("tweets", pa.list_(pa.struct([("id", _ID), ("author_id", _ID)]))),
                ]
            ),
        ),
    ]
)
"""The fields read from each page; everything else in the page is ignored."""

MAPPING = {
    "source": "data[].author_id -> includes.users[].username",
    "target": "in_reply_to_user_id, referenced_tweets[] (retweeted, quoted, replied_to), "
    "entities.mentions[].username",
    "kind": "reply, retweet, quote, mention; post for a tweet with none",
    "timestamp": "data[].created_at",
    "text": "data[].text",
}
_REF_KINDS = {"retweeted": "retweet", "quoted": "quote", "replied_to": "reply"}


def read_xapi(files: list[tuple[SourceFile, str | None]], opts: ReadOptions) -> RawPart:
    """Every page of every file as one :class:`RawPart` (references resolve across files)."""
    tables = [read_records(f, layout, SCHEMA) for f, layout in files]
    infos = [
        f.info("xapi", records=int(pc.sum(pc.list_value_length(t["data"])).as_py() or 0))
        for (f, _), t in zip(files, tables, strict=True)
    ]
    pages = pa.concat_tables(tables)
    _, tweets = explode(pages["data"])
    _, users = explode(field_of(pages["includes"], "users"))
    _, included = explode(field_of(pages["includes"], "tweets"))

    def col(array: pa.Array, *path: str) -> pd.Series:
        return strings(field_of(array, *path))

    handle = Lookup(col(users, "id"), col(users, "username").str.lower())
    ids, author_ids = col(tweets, "id"), col(tweets, "author_id")
    author_of = Lookup(
        pd.concat([ids, col(included, "id")], ignore_index=True),
        pd.concat([author_ids, col(included, "author_id")], ignore_index=True),
    )
    duplicate = (ids.duplicated() & ids.notna()).to_numpy(dtype=bool)
    source = handle(author_ids)
    records = pd.DataFrame(
        {
            "source": source,
            "timestamp": col(tweets, "created_at"),
            "text": col(tweets, "text"),
            "reason": np.where(source.isna(), "unresolved_user", None),
        }
    )
    reply_to = col(tweets, "in_reply_to_user_id")
    has_reply = reply_to.notna().to_numpy(dtype=bool)
    replies = candidates(
        np.flatnonzero(has_reply), handle(reply_to[has_reply]), "reply", "unresolved_user"
    )

    rec, refs = explode(field_of(tweets, "referenced_tweets"))
    ref_kind = strings(field_of(refs, "type")).map(_REF_KINDS)
    usable = ref_kind.notna().to_numpy(dtype=bool) & ~(
        (ref_kind == "reply").to_numpy(dtype=bool) & has_reply[rec]
    )
    ref_author = author_of(strings(field_of(refs, "id")))
    ref_target = handle(ref_author)
    why = pd.Series(np.where(ref_author.isna(), "unresolved_tweet", "unresolved_user"))
    pieces = [replies]
    for kind in ("reply", "retweet", "quote"):
        pick = usable & (ref_kind == kind).to_numpy(dtype=bool)
        pieces.append(candidates(rec[pick], ref_target[pick], kind, why[pick]))

    rec_m, mentions = explode(field_of(field_of(tweets, "entities"), "mentions"))
    named = strings(field_of(mentions, "username")).str.lower()
    engaged = pd.concat(pieces, ignore_index=True).dropna(subset=["target"])
    seen = pd.MultiIndex.from_arrays([engaged["rec"], engaged["target"].astype(str)])
    again = pd.MultiIndex.from_arrays([rec_m, named.fillna("").astype(str)]).isin(seen)
    has_name = named.notna().to_numpy(dtype=bool)
    pick = ~again & has_name
    pieces.append(candidates(rec_m[pick], named[pick], "mention", None))

    records.loc[duplicate, "reason"] = "duplicate_record"
    notes = _notes(opts)
    return finish_part(
        "xapi", files, infos, ["data", "includes"], dict(MAPPING), records, pieces, duplicate, notes
    )


def _notes(opts: ReadOptions) -> list[str]:
    if opts.mapping or opts.columns:
        return ["--map and --columns do not apply to X API pages (their fields are fixed)"]
    return []
