"""PictureCache: pictures kept least-recently-used first, within a count and a byte budget.

Shared by what paints the same picture many times a second (tile captions, document pages): drawn
once, copied afterwards. Thread: GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

from PySide6.QtGui import QImage

V = TypeVar("V")


class PictureCache(Generic[V]):
    def __init__(self, max_bytes: int, max_items: int | None = None,
                 picture: Callable[[V], QImage] = lambda v: v) -> None:  # type: ignore[assignment,return-value]
        self.max_bytes = max_bytes
        self.max_items = max_items
        self._picture = picture  # the QImage inside an entry (entries may carry more than the picture)
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self.bytes = 0

    def get(self, key: Hashable) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self.pop(key)
        self._items[key] = value
        self.bytes += self._picture(value).sizeInBytes()
        while len(self._items) > 1 and (self.bytes > self.max_bytes or
                                        (self.max_items is not None and len(self._items) > self.max_items)):
            self.pop(next(iter(self._items)))

    def pop(self, key: Hashable) -> None:
        value = self._items.pop(key, None)
        if value is not None:
            self.bytes -= self._picture(value).sizeInBytes()

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0

    def values(self) -> list[V]:
        return list(self._items.values())

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)
