"""Typed publish/subscribe: publish from any thread, delivery on the owner (GUI) thread."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

M = TypeVar("M")
Handler = Callable[[Any], None]


class Bus:
    """Messages are frozen dataclasses; subscribers register per message type.

    ``publish`` is thread-safe: on the owner thread it delivers at once, from another thread it
    hands the message to ``post`` (e.g. the asyncio loop's ``call_soon_threadsafe``) so delivery
    always happens on the owner thread. A failing handler is logged and never stops the others.
    """

    def __init__(self, post: Callable[[Callable[[], None]], None] | None = None) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)
        self._owner = threading.get_ident()
        self._post = post

    def set_post(self, post: Callable[[Callable[[], None]], None]) -> None:
        self._post = post

    def subscribe(self, kind: type[M], handler: Callable[[M], None]) -> Callable[[], None]:
        self._handlers[kind].append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers[kind]:
                self._handlers[kind].remove(handler)

        return unsubscribe

    def publish(self, message: object) -> None:
        if threading.get_ident() == self._owner or self._post is None:
            self._deliver(message)
        else:
            self._post(lambda: self._deliver(message))

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the owner thread (at once when already there)."""
        if threading.get_ident() == self._owner or self._post is None:
            fn()
        else:
            self._post(fn)

    def _deliver(self, message: object) -> None:
        for handler in list(self._handlers.get(type(message), ())):
            try:
                handler(message)
            except Exception:
                log.exception("handler %r failed on %s", handler, type(message).__name__)
