"""Mastodon statuses: a JSON array (as the API returns a page) or JSON Lines of statuses.

For each status by account A (``account.acct``):

- ``reblog`` set → A *retweet*s (boosts) the reblogged status's author;
- ``in_reply_to_account_id`` → A *reply* to that account, resolved to its handle through the
  accounts seen in the archive (authors, boosted authors, mentions);
- ``mentions[].acct`` → A *mention* of each, except the account replied to (Mastodon adds
  that mention itself);
- a status with none of these → one *post* row of A.

Handles are ``user@instance``, lower-cased: ``acct`` is already so for remote accounts; a
local account (``acct`` without ``@``) gets the instance from its profile ``url``, so the same
person has one handle whichever server the statuses came from. The text is the status's HTML
``content`` (the boosted status's for a boost) with tags removed. Skipped and counted:
statuses seen twice (``duplicate_record``, by ``uri``), accounts that cannot be resolved
(``unresolved_user``).
"""

from __future__ import annotations

from html import unescape

import numpy as np
import pandas as pd
import pyarrow as pa

from .base import RawPart, ReadOptions, SourceFile
from .jsonio import Lookup, candidates, explode, field_of, finish_part, read_records, strings

__all__ = ["SCHEMA", "handles", "plain_text", "read_mastodon"]

_ACCOUNT = pa.struct([("id", pa.string()), ("acct", pa.string()), ("url", pa.string())])
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("uri", pa.string()),
        ("created_at", pa.string()),
        ("in_reply_to_account_id", pa.string()),
        ("account", _ACCOUNT),
        ("reblog", pa.struct([("account", _ACCOUNT), ("content", pa.string())])),
        ("mentions", pa.list_(_ACCOUNT)),
        ("content", pa.string()),
    ]
)
"""The fields read from each status; everything else is ignored."""

MAPPING = {
    "source": "account.acct",
    "target": "reblog.account.acct, in_reply_to_account_id -> acct, mentions[].acct",
    "kind": "retweet (boost), reply, mention; post for a status with none",
    "timestamp": "created_at",
    "text": "content (HTML removed)",
}


def handles(acct: pd.Series, url: pd.Series) -> pd.Series:
    """``user@instance`` handles, lower-cased; local accounts take the instance of ``url``.

    >>> handles(pd.Series(["Ann", "bob@social.example", None]),
    ...         pd.Series(["https://mastodon.example/@Ann", None, None])).tolist()
    ['ann@mastodon.example', 'bob@social.example', nan]
    """
    acct = acct.str.strip().str.lstrip("@").str.lower()
    host = url.str.extract(r"^[a-zA-Z]+://([^/@:]+)", expand=False).str.lower()
    local = ~acct.str.contains("@", regex=False, na=True) & host.notna()
    return acct.where(~local, acct + "@" + host)


def plain_text(html: pd.Series) -> pd.Series:
    """Status HTML as plain text: paragraphs and line breaks become newlines, tags go, and
    every character reference (``&amp;``, ``&#8217;``, ``&#x1F600;``) is decoded
    (:func:`html.unescape`, once per distinct text; a non-breaking space becomes a space).

    >>> plain_text(pd.Series(["<p>Hi <a href='x'>@bob</a> &amp; co&#8217;s</p><p>x</p>"])).tolist()
    ['Hi @bob & co’s\\nx']
    """
    text = html.str.replace(r"<br\s*/?>|</p>\s*<p>", "\n", regex=True)
    text = text.str.replace(r"<[^>]+>", "", regex=True)
    codes, uniques = pd.factorize(text)
    decoded = np.array([unescape(t).replace("\xa0", " ") for t in uniques], dtype=object)
    out = pd.Series(np.append(decoded, None)[codes], index=text.index, dtype="str")
    return out.str.strip()


def read_mastodon(files: list[tuple[SourceFile, str | None]], opts: ReadOptions) -> RawPart:
    """Every status of every file as one :class:`RawPart` (accounts resolve across files)."""
    tables = [read_records(f, layout, SCHEMA) for f, layout in files]
    infos = [
        f.info("mastodon", records=t.num_rows) for (f, _), t in zip(files, tables, strict=True)
    ]
    st = pa.concat_tables(tables)

    def account(array: pa.Array | pa.ChunkedArray, *path: str) -> tuple[pd.Series, pd.Series]:
        acc = field_of(array, *path) if path else array
        return strings(field_of(acc, "id")), handles(
            strings(field_of(acc, "acct")), strings(field_of(acc, "url"))
        )

    author_id, author = account(st["account"])
    boost_id, boosted = account(st["reblog"], "account")
    rec_m, mentions = explode(st["mentions"])
    mention_id, mentioned = account(mentions)
    known = Lookup(
        pd.concat([author_id, boost_id, mention_id], ignore_index=True),
        pd.concat([author, boosted, mentioned], ignore_index=True),
    )
    key = strings(st["uri"]).fillna(strings(st["id"]))
    duplicate = (key.duplicated() & key.notna()).to_numpy(dtype=bool)
    is_boost = pd.Series(st["reblog"].is_valid().to_numpy(zero_copy_only=False))
    content = strings(st["content"]).where(~is_boost, strings(field_of(st["reblog"], "content")))
    records = pd.DataFrame(
        {
            "source": author,
            "timestamp": strings(st["created_at"]),
            "text": plain_text(content.fillna("")),
            "reason": np.where(
                duplicate, "duplicate_record", np.where(author.isna(), "unresolved_user", None)
            ),
        }
    )
    boost = is_boost.to_numpy(dtype=bool)
    reply_id = strings(st["in_reply_to_account_id"])
    reply = reply_id.notna().to_numpy(dtype=bool) & ~boost
    reply_to = known(reply_id[reply])
    pieces = [
        candidates(np.flatnonzero(boost), boosted[boost], "retweet", "unresolved_user"),
        candidates(np.flatnonzero(reply), reply_to, "reply", "unresolved_user"),
    ]
    replied = pd.Series(reply_to.to_numpy(dtype=object), index=np.flatnonzero(reply))
    again = mentioned.to_numpy(dtype=object) == replied.reindex(rec_m).to_numpy(dtype=object)
    pick = ~boost[rec_m] & ~again & mentioned.notna().to_numpy(dtype=bool)
    pieces.append(candidates(rec_m[pick], mentioned[pick], "mention", None))
    notes = []
    if opts.mapping or opts.columns:
        notes.append("--map and --columns do not apply to Mastodon statuses (fields are fixed)")
    return finish_part(
        "mastodon",
        files,
        infos,
        list(SCHEMA.names),
        dict(MAPPING),
        records,
        pieces,
        duplicate,
        notes,
    )
