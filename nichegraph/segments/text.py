"""Tokenise post texts and find the terms that set one group of people apart from the rest.

:func:`tokenize` turns a text column into one token occurrence per row of a
:class:`TokenTable`: words (lower-cased, apostrophes removed, at least two characters, not a
number, not a stop word), hashtags (``#tag``, lower-cased), mentions (``@handle`` as written,
the ``@`` dropped) and URL domains (``https://www.shop.example/x`` -> ``shop.example``). It is
vectorised with Arrow compute: texts are split on whitespace once, the *distinct* chunks are
classified and split further with regular expressions, and the result is gathered back to every
occurrence with numpy — no Python loop over rows or tokens.

:func:`log_odds_z` is the "Fightin' Words" statistic of Monroe, Colaresi & Quinn (2008,
*Political Analysis* 16(4), eq. 16-22): the z-score of the log-odds ratio of a term between a
group ``i`` and the rest ``j`` with an informative Dirichlet prior ``alpha_w``::

    delta_w  = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
             - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
    var_w   ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
    z_w      = delta_w / sqrt(var_w)

``y_iw`` is the count of term ``w`` in the group, ``n_i`` the group's total term count, ``j``
everything else. The prior is the whole corpus: ``a_w = prior * y_w`` with ``y_w = y_iw +
y_jw`` and ``a_0 = sum_w a_w`` (``prior = 1`` by default), which shrinks rare terms towards
the corpus rate so that a term must be both frequent and over-represented to score high.

>>> t = tokenize(["Loving the #NewDrop @Ann_B https://www.shop.example/x", "so good!!"])
>>> t.frame().values.tolist()
[[0, 'loving', 'word'], [0, '#newdrop', 'hashtag'], [0, 'Ann_B', 'mention'], [0, 'shop.example', 'domain'], [1, 'good', 'word']]
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._repr import short_repr

__all__ = ["STOP_WORDS", "TOKEN_KINDS", "TokenTable", "log_odds_z", "tokenize"]

#: Token kinds, in the order of the codes in :attr:`TokenTable.kind`.
TOKEN_KINDS: tuple[str, ...] = ("word", "hashtag", "mention", "domain")

_STOP_TEXT = """
    a about above after again against all also am an and any are arent as at be because been
    before being below between both but by can cant could couldnt did didnt do does doesnt
    doing dont down during each few for from further get got had hadnt has hasnt have havent
    having he hed hell hes her here heres hers herself him himself his how hows i id ill im
    ive if in into is isnt it its itself just lets like me more most much mustnt my myself no
    nor not now of off on once only or other ought our ours ourselves out over own really same
    shant she shed shell shes should shouldnt so some such than that thats the their theirs
    them themselves then there theres these they theyd theyll theyre theyve this those through
    to too under until up us very was wasnt we wed well were weve werent what whats when whens
    where wheres which while who whos whom why whys will with wont would wouldnt you youd
    youll youre youve your yours yourself yourselves
    rt via amp http https www com one two yes no ok oh lol u ur yeah
"""
#: A small English stop-word list (apostrophes removed, as the tokeniser does), plus social
#: media filler (``rt``, ``via``, ``amp``). Pass your own set to :func:`tokenize` to change it.
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

_URL = r"(?i)(?:^|[^\pL\pN])(?:https?://|www\.)[\pL\pN]"
_DOMAIN = r"(?i)(?:https?://(?:www\.)?|www\.)(?P<d>[\pL\pN\-]+(?:\.[\pL\pN\-]+)+)"
_MENTION = r"^[^\pL\pN_@#]*@(?P<h>[\pL\pN_](?:[\pL\pN_.\-]*[\pL\pN_])?)"


@dataclass(frozen=True, eq=False)
class TokenTable:
    """Token occurrences of a text column.

    ``row[k]`` is the position (0-based) of the text the ``k``-th occurrence comes from,
    ``token[k]`` its code in ``vocab`` (sorted, so codes order like the strings);
    ``kind[c]`` the kind code of ``vocab[c]`` (an index into :data:`TOKEN_KINDS`).
    Occurrences are in text order.
    """

    __repr__ = short_repr

    row: np.ndarray
    token: np.ndarray
    vocab: np.ndarray
    kind: np.ndarray

    def frame(self) -> pd.DataFrame:
        """One row per occurrence: ``row``, ``token``, ``kind``."""
        return pd.DataFrame(
            {
                "row": self.row,
                "token": self.vocab[self.token],
                "kind": np.asarray(TOKEN_KINDS, dtype=object)[self.kind[self.token]],
            }
        )


def _arrow_text(texts: pd.Series | Iterable[str | None]) -> pa.Array:
    """The texts as one Arrow (large) string array, nulls kept."""
    if not isinstance(texts, pd.Series):
        texts = pd.Series(list(texts), dtype=object)
    arr = pa.Array.from_pandas(texts) if len(texts) else pa.array([], type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], type=pa.string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    return arr.cast(pa.large_string())


def _ragged_take(offsets: np.ndarray, items: np.ndarray, which: np.ndarray):
    """For each ``which[k]``, the items ``items[offsets[w]:offsets[w+1]]``; returns
    (position in ``which`` of each output, output items), in order."""
    if not len(items):
        return np.array([], dtype=np.int64), items[:0]
    n_items = np.diff(offsets)
    # per distinct entry: its single item (the common case), -1 if none, -2 if several
    single = np.where(n_items == 1, items[np.minimum(offsets[:-1], len(items) - 1)], -1)
    single = np.where(n_items > 1, -2, single)
    got = single[which]  # one gather over all occurrences
    one = np.flatnonzero(got >= 0)
    out_one = got[one]
    many = np.flatnonzero(got == -2)
    if not many.size:
        return one, out_one
    lens = n_items[which[many]]
    total = int(lens.sum())
    owner = np.repeat(many, lens)
    first = np.repeat(offsets[which[many]] - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    owner = np.concatenate([one, owner])
    out = np.concatenate([out_one, items[first + np.arange(total, dtype=np.int64)]])
    order = np.argsort(owner, kind="stable")  # two sorted runs: a linear merge
    return owner[order], out[order]


def tokenize(
    texts: pd.Series | Iterable[str | None], *, stop_words: Iterable[str] | None = None
) -> TokenTable:
    """Split texts into words, hashtags, mentions and URL domains (see the module docstring).

    ``stop_words`` replaces :data:`STOP_WORDS` (give ``STOP_WORDS | {"brand"}`` to extend it);
    words are compared after lower-casing and removing apostrophes. Missing texts give no
    tokens.

    >>> t = tokenize(["RT @kori.nesa: I don't like Mondays #mood", None, "42 cats"])
    >>> t.frame().values.tolist()
    [[0, 'kori.nesa', 'mention'], [0, 'mondays', 'word'], [0, '#mood', 'hashtag'], [2, 'cats', 'word']]
    """  # noqa: E501
    stops = STOP_WORDS if stop_words is None else frozenset(str(w) for w in stop_words)
    text = _arrow_text(texts)
    chunks = pc.utf8_split_whitespace(text)
    chunk_row = pc.list_parent_indices(chunks).to_numpy().astype(np.int64, copy=False)
    enc = pc.dictionary_encode(pc.list_flatten(chunks))
    chunk_code = enc.indices.to_numpy(zero_copy_only=False)
    distinct = enc.dictionary

    # Classify each distinct chunk: URL -> domain, leading @ -> mention, else words/hashtags.
    is_url = pc.fill_null(pc.match_substring_regex(distinct, _URL), False)
    domain = pc.utf8_lower(pc.struct_field(pc.extract_regex(distinct, _DOMAIN), [0]))
    domain = pc.if_else(is_url, domain, None)
    mention = pc.struct_field(pc.extract_regex(distinct, _MENTION), [0])
    mention = pc.if_else(is_url, None, mention)
    special = pc.coalesce(domain, mention)
    plain = pc.if_else(pc.is_null(special), distinct, "")
    low = pc.replace_substring_regex(pc.utf8_lower(plain), r"['’]", "")
    low = pc.replace_substring_regex(low, r"[^\pL\pN_#]+", " ")
    low = pc.replace_substring_regex(low, r"([\pL\pN_])#+", "\\1 #")
    low = pc.replace_substring_regex(low, r"(^|\s)#+", "\\1#")
    parts = pc.utf8_split_whitespace(low)
    part_offsets = parts.offsets.to_numpy().astype(np.int64)
    part_text = np.asarray(pc.list_flatten(parts).to_numpy(zero_copy_only=False), dtype=object)
    part_series = pd.Series(part_text, dtype=object)
    is_tag = part_series.str.match(r"#[\d_]*[^\W\d_]").to_numpy(dtype=bool)
    is_word = (
        ~part_series.str.startswith("#").to_numpy(dtype=bool)
        & (part_series.str.len().to_numpy() >= 2)
        & ~part_series.str.fullmatch(r"[\d_]+").to_numpy(dtype=bool)
        & ~part_series.isin(stops).to_numpy(dtype=bool)
    )
    keep_part = is_tag | is_word

    # One list of (distinct chunk -> token strings, kinds): the special token, then its parts.
    n_distinct = len(distinct)
    spec_valid = pc.is_valid(special).to_numpy(zero_copy_only=False)
    spec_kind = np.where(pc.is_valid(domain).to_numpy(zero_copy_only=False), 3, 2)
    owner = np.repeat(np.arange(n_distinct, dtype=np.int64), np.diff(part_offsets))
    tok_owner = np.concatenate([np.flatnonzero(spec_valid), owner[keep_part]])
    tok_text = np.concatenate(
        [
            np.asarray(special.to_numpy(zero_copy_only=False), dtype=object)[spec_valid],
            part_text[keep_part],
        ]
    )
    tok_kind = np.concatenate([spec_kind[spec_valid], np.where(is_tag[keep_part], 1, 0)])
    order = np.argsort(tok_owner, kind="stable")
    tok_owner, tok_text, tok_kind = tok_owner[order], tok_text[order], tok_kind[order]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(tok_owner, minlength=n_distinct))]).astype(
        np.int64
    )
    codes, vocab = pd.factorize(pd.Series(tok_text, dtype=object), sort=True)
    kind = np.zeros(len(vocab), dtype=np.int8)
    kind[codes] = tok_kind
    occ, token = _ragged_take(offsets, codes.astype(np.int64), chunk_code)
    return TokenTable(
        row=chunk_row[occ],
        token=token,
        vocab=np.asarray(vocab, dtype=object),
        kind=kind,
    )


def log_odds_z(
    y_in: np.ndarray,
    n_in: np.ndarray | float,
    y_all: np.ndarray,
    n_all: float,
    *,
    prior: float = 1.0,
) -> np.ndarray:
    """Z-scores of the log-odds ratio of terms between a group and the rest (Monroe et al.).

    ``y_in``: a term's count in the group; ``n_in``: the group's total term count; ``y_all``,
    ``n_all``: the same over the whole corpus (group included). The Dirichlet prior is
    ``a_w = prior * y_all`` (see the module docstring). All arrays are aligned element-wise.

    >>> z = log_odds_z(np.array([40, 5]), 100, np.array([50, 500]), 1000)
    >>> [round(float(v), 2) for v in z]
    [6.03, -4.74]
    """
    y_in = np.asarray(y_in, dtype=float)
    y_all = np.asarray(y_all, dtype=float)
    n_in = np.asarray(n_in, dtype=float)
    a = prior * y_all
    a0 = prior * float(n_all)
    y_out, n_out = y_all - y_in, float(n_all) - n_in
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_in + a) / (n_in + a0 - y_in - a)) - np.log(
            (y_out + a) / (n_out + a0 - y_out - a)
        )
        z = delta / np.sqrt(1.0 / (y_in + a) + 1.0 / (y_out + a))
    return np.where(np.isfinite(z), z, 0.0)
