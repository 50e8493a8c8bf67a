"""Format readers: each turns an input into a raw frame of canonical columns and skip counts.

One module per format (:mod:`.delimited`, :mod:`.tabular`, :mod:`.nodexl`, :mod:`.xapi`,
:mod:`.reddit`, :mod:`.mastodon`), :mod:`.detect` to tell them apart and route files to them,
:mod:`.jsonio` for the JSON plumbing they share. :func:`nichegraph.read_interactions` is the
entry point.
"""

from .base import FORMATS, PLATFORMS, RawPart, ReadOptions
from .detect import detect_format, expand_inputs, read_files
from .tabular import from_frame

__all__ = [
    "FORMATS",
    "PLATFORMS",
    "RawPart",
    "ReadOptions",
    "detect_format",
    "expand_inputs",
    "from_frame",
    "read_files",
]
