"""Discovery of connector types through Python entry points, each load guarded."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from connectors.api import Connector

log = logging.getLogger(__name__)

GROUP = "ioc_console.connectors"


@dataclass
class Registry:
    types: dict[str, type[Connector]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # type name -> why it could not load

    def register(self, name: str, cls: type[Connector]) -> None:
        self.types[name] = cls
        self.broken.pop(name, None)


def discover(group: str = GROUP) -> Registry:
    """Load every connector declared under ``group``. A plugin that raises on import, or that is
    not a Connector, is recorded in ``broken`` and logged once; it never stops the others."""
    reg = Registry()
    for ep in entry_points(group=group):
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Connector)):
                raise TypeError(f"{ep.value} is not a Connector class")
        except Exception as exc:  # a broken plugin must never stop start-up
            reason = f"{type(exc).__name__}: {exc}"
            log.error("connector plugin %r (%s) failed to load: %s", ep.name, ep.value, reason)
            reg.broken[ep.name] = reason
            continue
        reg.types[ep.name] = cls
    return reg
