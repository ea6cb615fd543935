"""Items of a register read into DocumentItems, with problems a person can fix ("item 3: bad date '31/13/2024'").

No I/O, no Qt: safe on any thread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from connectors.kpi_rows import shown
from connectors.rest.connector import MISSING, get_path, json_kind
from console.model.documents import DocumentItem

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?)?")
MILLISECONDS_ABOVE = 1e11
TRUE_TEXTS = {"1", "true", "yes", "y", "x", "done", "có", "đã xử lý", "hoàn thành"}
FALSE_TEXTS = {"", "0", "false", "no", "n", "không", "chưa xử lý"}


class ItemError(ValueError):
    """One item does not fit; the text names the field as the JSON spells it."""


def parse_date(value: Any) -> str:
    """ISO ``YYYY-MM-DD`` from an ISO date or date-time, a Vietnamese ``dd/mm/yyyy`` (time after it
    ignored), or epoch seconds (milliseconds when very large). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        seconds = value / 1000 if value > MILLISECONDS_ABOVE else value
        return datetime.fromtimestamp(seconds).date().isoformat()
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    m = _DMY.fullmatch(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    if len(text) == 10:
        return date.fromisoformat(text).isoformat()
    # A date-time is the day as the system wrote it: its own offset, not converted to ours.
    return datetime.fromisoformat(text.replace("z", "Z")).date().isoformat()


@dataclass(frozen=True)
class ItemReader:
    """Reads one item with the field paths and direction words of the settings."""

    fields: Mapping[str, str]  # DocumentItem field -> dotted path in the item
    directions: Mapping[str, str]  # word the system uses (lower case) -> "in" / "out"

    def read(self, item: Any) -> DocumentItem:
        if not isinstance(item, dict):
            raise ItemError(f"expected an object, got {json_kind(item)}")
        f = self.fields

        def field(name: str) -> Any:
            value = get_path(item, f[name]) if f.get(name) else MISSING
            return None if value is MISSING else value

        def text(name: str) -> str:
            value = field(name)
            if value is None:
                return ""
            if isinstance(value, dict | list):
                raise ItemError(f"{f[name]}: expected text, got {json_kind(value)}")
            return " ".join(str(value).split())

        number = text("number")
        if not number:
            raise ItemError(f"{f['number']}: missing")
        raw_date = field("date")
        if raw_date is None or raw_date == "":
            raise ItemError(f"{f['date']}: missing")
        try:
            issued = parse_date(raw_date)
        except (ValueError, OverflowError, OSError):
            raise ItemError(f"bad {f['date']} {shown(raw_date)}") from None
        raw_deadline = field("deadline")
        deadline = ""
        if raw_deadline not in (None, ""):
            try:
                deadline = parse_date(raw_deadline)
            except (ValueError, OverflowError, OSError):
                raise ItemError(f"bad {f['deadline']} {shown(raw_deadline)}") from None
        raw_direction = text("direction")
        direction = self.directions.get(raw_direction.casefold(), "")
        if not direction:
            known = ", ".join(sorted(self.directions))
            what = shown(raw_direction) if raw_direction else "missing"
            raise ItemError(f"{f['direction']}: {what} is not a direction (known: {known})")
        ident = text("id") or number  # a register without ids: the paper's number is unique enough
        url = text("url")
        return DocumentItem(id=ident, number=number, direction=direction, date=issued, issuer=text("issuer"),
                            summary=text("summary"), deadline=deadline, done=self._done(field("done")), url=url)

    def _done(self, value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, bool | int | float):
            return bool(value)
        if isinstance(value, str):
            word = value.strip().casefold()
            if word in TRUE_TEXTS:
                return True
            if word in FALSE_TEXTS:
                return False
        raise ItemError(f"{self.fields['done']}: expected true or false, got {shown(value)}")


def read_items(items: list[Any], reader: ItemReader) -> tuple[list[DocumentItem], list[str]]:
    """The good items, newest first, and one problem line per bad one ("item 3: ...")."""
    good: list[DocumentItem] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(items):
        try:
            item = reader.read(raw)
        except ItemError as exc:
            problems.append(f"item {index}: {exc}")
            continue
        if item.id in seen:
            problems.append(f"item {index}: id {shown(item.id)} is used by an earlier item")
            continue
        seen.add(item.id)
        good.append(item)
    good.sort(key=lambda i: i.date, reverse=True)  # stable: the system's order within a day stays
    return good, problems
