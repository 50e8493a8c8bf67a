"""Making option objects from keywords: one check for unknown names, one router.

Every stage's options are a frozen, keyword-only dataclass that validates itself in
``__post_init__`` (:class:`~nichegraph.graph.ReadOptions`, :class:`~nichegraph.graph.GraphOptions`,
:class:`~nichegraph.segments.SegmentOptions`, :class:`~nichegraph.influencers.RankOptions`);
these helpers build them from flat keywords, so each option is defined once, by its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

from .errors import InputError

__all__ = ["field_names", "make_options", "route_options"]

T = TypeVar("T")


def field_names(cls: type) -> tuple[str, ...]:
    """The option names of an options class, in order."""
    return tuple(f.name for f in fields(cls))


def make_options(cls: type[T], base: T | None = None, /, **kw: Any) -> T:
    """``cls(**kw)`` (or ``base`` with ``kw`` replaced); unknown names raise InputError.

    >>> from nichegraph.segments.options import SegmentOptions
    >>> make_options(SegmentOptions, SegmentOptions(min_size=2), resolution=3).min_size
    2
    >>> make_options(SegmentOptions, size=3)
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: unknown option 'size'; use objective, resolution, min_gain, \
max_size, min_size, backend, ties
    """
    unknown = sorted(set(kw) - set(field_names(cls)))
    if unknown:
        raise InputError(f"unknown option {unknown[0]!r}; use {', '.join(field_names(cls))}")
    if base is None:
        return cls(**kw)
    if not isinstance(base, cls):
        raise InputError(f"expected a {cls.__name__}, got a {type(base).__name__}")
    return replace(base, **kw) if kw else base


def route_options(
    classes: Sequence[type], given: Mapping[str, Any], options: Mapping[str, Any]
) -> list[Any]:
    """One object per class in ``classes``: ``given[name]`` (or defaults) with the flat keywords
    in ``options`` that name one of its fields; a keyword no class has raises InputError.

    ``given`` maps each class's name to an object of it or ``None``.
    """
    known = {name: cls for cls in classes for name in field_names(cls)}
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise InputError(
            f"unknown option {unknown[0]!r}; the options are {', '.join(known)} "
            "(and the arguments of this function)"
        )
    out = []
    for cls, base in zip(classes, given.values(), strict=True):
        kw = {k: v for k, v in options.items() if known[k] is cls}
        out.append(make_options(cls, base, **kw))
    return out
