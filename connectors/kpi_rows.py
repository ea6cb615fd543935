"""KPI value rows (query results, JSON items, report lines) read into samples, with problems a person can fix.

A row names an indicator, a unit (today's code or a former one), a time and a value, and may carry a
quality. ``RowReader.sample`` turns one row into a ``KpiSample`` or raises ``RowError`` whose text is
``"<field>: <what is wrong, and what was expected>"``; the caller puts where the row was in front
("row 7", "item 3", "report.xlsx row 12"). No I/O, no Qt: safe on any thread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from console.model.kpi import Indicator, KpiSample
from console.model.sources import AdminUnit, Quality

LISTED_PROBLEMS = 5  # a status line lists this many problems, then "and K more"
# Numbers this large are milliseconds, as in the alert feeds: seconds would be thousands of years ahead.
MILLISECONDS_ABOVE = 1e11
TIME_EXPECTED = ("expected epoch seconds or an ISO-8601 date/time such as 2024-05-01 or "
                 "2024-05-01T08:00:00+07:00")
QUALITIES = {q.value: q for q in Quality}

_SPACES = re.compile(r"[\s\u00a0\u202f']+")  # "1 234,5" and "1'234.5" are written by people too
_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3}){2,}")
_VN_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+")  # 12,5 or 1.234,5
_EN_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d+")  # 1,234.5
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})")  # a monthly report's period: 2024-05, 05/2024
YEARS = (1900, 2200)  # a whole number in this range is a year (a yearly report), not 1970 plus a half hour


class RowError(ValueError):
    """One field of one row does not fit. The text is ``"<field>: <what>"``."""


def shown(value: Any, limit: int = 40) -> str:
    """A value as a person reads it in a problem text: quoted, and cut when long."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize(problems: list[str], limit: int = LISTED_PROBLEMS) -> str:
    """``"a; b; c; and 4 more"``: a status line that stays one line however many rows were bad."""
    head = "; ".join(problems[:limit])
    more = len(problems) - limit
    return f"{head}; and {more} more" if more > 0 else head


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_number(value: Any, grouped_dots: bool = False) -> float:
    """A number from a cell or a field. Text may use a decimal comma ("12,5"), thousands dots with a
    decimal comma ("1.234,5") or thousands commas with a decimal point ("1,234.5"). A lone dot
    followed by three digits ("1.234") is a thousands dot only when ``grouped_dots`` (the file writes
    numbers the Vietnamese way elsewhere); otherwise it is a decimal point. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a number")
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        number = _number_from_text(value, grouped_dots)
    else:
        raise ValueError(f"{shown(value)} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{shown(value)} is not a finite number")
    return number


def _number_from_text(raw: str, grouped_dots: bool) -> float:
    text = _SPACES.sub("", raw)
    bad = ValueError(f"{shown(raw)} is not a number")
    if not text:
        raise bad
    if _PLAIN.fullmatch(text):
        if grouped_dots and _DOT_GROUPS.fullmatch(text):
            return float(text.replace(".", ""))
        return float(text)
    if _DOT_GROUPS.fullmatch(text):  # 1.234.567: only thousands dots
        return float(text.replace(".", ""))
    if _VN_NUMBER.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _COMMA_GROUPS.fullmatch(text) or _EN_NUMBER.fullmatch(text):
        return float(text.replace(",", ""))
    raise bad


def to_epoch(value: Any) -> float:
    """Epoch seconds from a number (seconds; above 10^11 milliseconds; a whole number 1900-2200 is a
    year), a date/datetime object or ISO-8601 text (also dd/mm/yyyy [hh:mm[:ss]] as Vietnamese reports
    write dates, and a month: 2024-05 or 05/2024). A date without a time is that day's 00:00 (a month
    or year: its first day) and a time without a zone is local time. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a time ({TIME_EXPECTED})")
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{shown(value)} is not a time ({TIME_EXPECTED})")
        if number.is_integer() and YEARS[0] <= number <= YEARS[1]:
            return datetime(int(number), 1, 1).timestamp()
        return number / 1000.0 if abs(number) > MILLISECONDS_ABOVE else number
    if isinstance(value, datetime):
        return value.timestamp()  # a naive datetime is taken as local time, as documented
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).timestamp()
    if isinstance(value, str):
        text = value.strip()
        if _PLAIN.fullmatch(text):
            return to_epoch(float(text))
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            pass
        m = _DMY.fullmatch(text)
        if m:
            day, month, year, hour, minute, second = (int(g) if g else 0 for g in m.groups())
            try:
                return datetime(year, month, day, hour, minute, second).timestamp()
            except ValueError:
                pass
        m = _MONTH.fullmatch(text)
        if m:
            year, month = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
            if 1 <= month <= 12:
                return datetime(year, month, 1).timestamp()
    raise ValueError(f"{shown(value)} is not a time ({TIME_EXPECTED})")


def to_quality(value: Any) -> Quality:
    if is_blank(value):
        return Quality.GOOD
    quality = QUALITIES.get(str(value).strip().casefold())
    if quality is None:
        raise ValueError(f"{shown(value)} is not one of {', '.join(QUALITIES)}")
    return quality


def code_text(value: Any) -> str:
    """A code as text; a spreadsheet that stored a numeric code as a number gives 26734.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class RowReader:
    """Checks rows against the site's indicators and units. Immutable after construction, so one
    reader may be used from a worker thread while the loop makes another."""

    def __init__(self, indicators: Iterable[Indicator], units: Iterable[AdminUnit],
                 formerly: Mapping[str, str], fixed_indicator: str = "") -> None:
        self._indicators = {i.id: i.id for i in indicators}
        self._indicators_folded = {k.casefold(): k for k in self._indicators}
        codes = {u.code for u in units}
        self._units = {c: c for c in codes}
        self._units.update({old: new for old, new in formerly.items() if new in codes and old not in codes})
        self._units_folded = {k.casefold(): v for k, v in self._units.items()}
        # Numeric codes that lost their leading zeros in a spreadsheet cell (00123 stored as 123).
        self._units_numeric = {k.lstrip("0"): v for k, v in self._units.items() if k.isdigit()}
        self.fixed_indicator = fixed_indicator

    def indicator(self, value: Any) -> str:
        if is_blank(value):
            if self.fixed_indicator:
                value = self.fixed_indicator
            else:
                raise RowError("indicator: missing")
        text = code_text(value)
        found = self._indicators.get(text) or self._indicators_folded.get(text.casefold())
        if found is None:
            raise RowError(f"indicator: {shown(text)} is not an indicator of this site")
        return found

    def unit(self, value: Any) -> str:
        if is_blank(value):
            raise RowError("unit: missing")
        text = code_text(value)
        found = self._units.get(text) or self._units_folded.get(text.casefold())
        if found is None and text.isdigit():
            found = self._units_numeric.get(text.lstrip("0"))
        if found is None:
            raise RowError(f"unit: {shown(text)} is not a unit code of this site (nor a former one)")
        return found

    def sample(self, indicator: Any, unit: Any, time: Any, value: Any, quality: Any = None,
               grouped_dots: bool = False) -> KpiSample:
        """One row as a sample; raises RowError naming the first field that does not fit."""
        ind = self.indicator(indicator)
        code = self.unit(unit)
        if is_blank(time):
            raise RowError("time: missing")
        try:
            when = to_epoch(time)
        except ValueError as exc:
            raise RowError(f"time: {exc}") from None
        if is_blank(value):
            raise RowError("value: missing")
        try:
            number = to_number(value, grouped_dots)
        except ValueError as exc:
            raise RowError(f"value: {exc}") from None
        try:
            q = to_quality(quality)
        except ValueError as exc:
            raise RowError(f"quality: {exc}") from None
        return KpiSample(ind, code, when, number, q)
