"""Whole numbers as machine arrays of the smallest unsigned type that holds them.

Both the posting blocks (:mod:`indexer.codec`) and the positions inside each posting
(:class:`indexer.analysis.LemmaPositions`) are stored so: an item type (``B``, ``H`` or
``I``: one, two or four bytes) and the items, little-endian whatever the machine.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import Any

#: Bytes per item of each item type.
ITEM_SIZE = {code: array(code).itemsize for code in "BHI"}


def packed(numbers: Sequence[int]) -> tuple[bytes, bytes]:
    """The item type that holds ``numbers`` (as one ASCII byte), and their bytes.

    >>> packed([1, 300])
    (b'H', b'\\x01\\x00,\\x01')
    """
    largest = max(numbers, default=0)
    code = "B" if largest < 0x100 else "H" if largest < 0x10000 else "I"
    return code.encode("ascii"), little_endian(array(code, numbers))


def little_endian(items: array[Any]) -> bytes:
    """The bytes of an array, little-endian on any machine."""
    if sys.byteorder == "big":
        items.byteswap()
    return items.tobytes()


def unpacked(code: str, data: bytes, start: int, count: int) -> array[Any]:
    """The ``count`` items of type ``code`` stored at ``data[start:]``.

    >>> list(unpacked("H", b"\\x01\\x00,\\x01", 0, 2))
    [1, 300]
    """
    items = array(code)
    items.frombytes(data[start : start + count * items.itemsize])
    if sys.byteorder == "big":
        items.byteswap()
    return items
