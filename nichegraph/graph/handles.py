"""Handles as each platform compares them: one vectorised normalisation per platform.

``@Ann`` and ``ann`` are one X account, ``/u/Ann_R`` and ``ann_r`` one Reddit account,
``@Ann@Mastodon.Social`` and ``https://mastodon.social/@ann`` one Mastodon account.
:func:`normalise_handles` gives the form in which a platform compares handles;
:func:`canonical_platform` resolves platform names (``twitter`` → ``x``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "PLATFORM_ALIASES",
    "PLATFORM_RULES",
    "PROFILE_URLS",
    "canonical_platform",
    "normalise_handles",
    "normalise_unique",
    "take_text",
]

PLATFORM_ALIASES: dict[str, str] = {
    "twitter": "x",
    "x.com": "x",
    "twitter.com": "x",
    "ig": "instagram",
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "bsky": "bluesky",
    "bsky.app": "bluesky",
    "reddit.com": "reddit",
    "fediverse": "mastodon",
}
"""Other names of a platform (lower case) → the name used to match handles."""

PLATFORM_RULES: dict[str, str] = {
    "x": "at_lower",
    "instagram": "at_lower",
    "tiktok": "at_lower",
    "bluesky": "at_lower",
    "reddit": "reddit",
    "mastodon": "mastodon",
}
"""How each platform compares handles; any other platform uses ``at`` (strip ``@`` only).

``at_lower``: strip leading ``@``, lower-case. ``reddit``: strip ``u/`` or ``/u/``,
lower-case. ``mastodon``: strip the leading ``@``, read ``https://host/@user`` as
``user@host``, lower-case user and domain (a name without ``@instance`` only matches the
same name without one). Surrounding spaces are always stripped, and a profile URL
(:data:`PROFILE_URLS`) stands for its handle.
"""

_TAIL = r"/?(?:[?#].*)?$"
PROFILE_URLS: dict[str, str] = {
    "x": r"(?i)^(?:https?://)?(?:www\.|mobile\.)?(?:x|twitter)\.com/@?([^/?#\s]+)" + _TAIL,
    "instagram": r"(?i)^(?:https?://)?(?:www\.)?instagram\.com/@?([^/?#\s]+)" + _TAIL,
    "tiktok": r"(?i)^(?:https?://)?(?:www\.)?tiktok\.com/@([^/?#\s]+)" + _TAIL,
    "bluesky": r"(?i)^(?:https?://)?bsky\.app/profile/@?([^/?#\s]+)" + _TAIL,
    "reddit": r"(?i)^(?:https?://)?(?:www\.|old\.)?reddit\.com/(?:u|user)/([^/?#\s]+)" + _TAIL,
    "mastodon": r"(?i)^https?://([^/@\s]+)/@([^/@?#\s]+)" + _TAIL,
}
"""Profile URL patterns per platform; the handle is the captured name (``user@host`` for
Mastodon)."""


def canonical_platform(values: pd.Series) -> pd.Series:
    """Platform names as matched: stripped, lower-cased, aliases resolved; empty → missing.

    >>> canonical_platform(pd.Series(["Twitter", " bsky ", "", "Reddit"])).tolist()
    ['x', 'bluesky', nan, 'reddit']
    """
    text = values.astype("str").str.strip().str.lower()
    text = text.mask(values.isna() | (text == ""))
    return text.replace(PLATFORM_ALIASES)


def normalise_handles(handles: pd.Series, platform: str | None) -> pd.Series:
    """The form in which ``platform`` compares handles (vectorised, once per distinct value).

    >>> normalise_handles(pd.Series(["@Ann_K", "ann_k"]), "twitter").tolist()
    ['ann_k', 'ann_k']
    >>> normalise_handles(pd.Series(["/u/Ann_R", "u/ann_r"]), "reddit").tolist()
    ['ann_r', 'ann_r']
    >>> normalise_handles(pd.Series(["@Ann@Mastodon.Social", "https://mastodon.social/@ann"]),
    ...                   "mastodon").tolist()
    ['ann@mastodon.social', 'ann@mastodon.social']
    >>> normalise_handles(pd.Series(["https://x.com/Ann_K?s=20", "reddit.com/user/Ann_R/"]),
    ...                   "x").tolist()
    ['ann_k', 'reddit.com/user/ann_r/']
    >>> normalise_handles(pd.Series(["@Ann"]), "some-forum").tolist()
    ['Ann']
    """
    codes, uniques = pd.factorize(handles, use_na_sentinel=True)
    keys = normalise_unique(np.asarray(uniques, dtype=object), platform)
    return take_text(keys, codes, handles.index)


def normalise_unique(values: np.ndarray, platform: str | None) -> np.ndarray:
    """:func:`normalise_handles` on an object array of distinct strings (Arrow's RE2 kernels).

    >>> normalise_unique(np.array(["u/Ann_R"], dtype=object), "reddit").tolist()
    ['ann_r']
    """
    name = None if platform is None else str(platform).strip().lower()
    name = PLATFORM_ALIASES.get(name or "", name)
    rule = PLATFORM_RULES.get(name or "", "at")
    text = pc.utf8_trim_whitespace(pa.array(values, type=pa.string(), from_pandas=True))

    def sub(arr: pa.Array, pattern: str, replacement: str = "") -> pa.Array:
        return pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement)

    if name in PROFILE_URLS:
        text = sub(text, PROFILE_URLS[name], r"\2@\1" if rule == "mastodon" else r"\1")
    if rule == "reddit":
        text = pc.utf8_lower(sub(text, r"(?i)^/?u/"))
    elif rule == "mastodon":
        text = pc.utf8_lower(sub(text, r"^@"))
    else:
        text = sub(text, r"^@+")
        if rule == "at_lower":
            text = pc.utf8_lower(text)
    return text.to_numpy(zero_copy_only=False).astype(object)


_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def take_text(values: np.ndarray, ids: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """``values[ids]`` as a pandas ``str`` column, gathered by Arrow (ids < 0 are missing).

    >>> take_text(np.array(["ann", "bo"], dtype=object), np.array([1, 0, 1, -1])).tolist()
    ['bo', 'ann', 'bo', nan]
    """
    ids = np.asarray(ids, dtype=np.int64)
    taken = pa.array(values, type=pa.large_string(), from_pandas=True).take(
        pa.array(ids, mask=ids < 0)
    )
    out = taken.to_pandas(types_mapper={pa.large_string(): _STR}.get)
    return pd.Series(out.array, index=index, dtype=_STR)
