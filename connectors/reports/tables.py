"""Departments' report files (CSV, XLSX) read into KPI samples, whole or not at all. No Qt, no loop.

``read_report`` reads one file on the calling thread (a worker's) and returns its samples, or raises
``ReportProblem`` with a text the operator can act on: ``"report.xlsx row 4: value: 'abc' is not a
number; report.xlsx row 9: ...; and 3 more"``. Row numbers are the spreadsheet's own, as a person
sees them in Excel (the header row included). ``BeingWritten`` means: look again later.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.datetime import from_excel

from connectors.kpi_rows import YEARS, RowError, RowReader, is_blank, summarize
from console.model.kpi import KpiSample

FIELDS = ("indicator", "unit", "time", "value", "quality")
REQUIRED = ("indicator", "unit", "time", "value")
# Header names accepted besides the configured ones, compared without case, "_" read as a space.
ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "chỉ tiêu", "chi tieu", "mã chỉ tiêu", "ma chi tieu"),
    "unit": ("unit", "đơn vị", "don vi", "mã đơn vị", "ma don vi"),
    "time": ("time", "thời gian", "thoi gian", "kỳ", "ky", "ngày", "ngay"),
    "value": ("value", "giá trị", "gia tri"),
    "quality": ("quality", "chất lượng", "chat luong"),
}
DELIMITERS = (";", ",", "\t")
EXCEL_SERIALS = (1.0, 1e6)  # a bare number in this range in an XLSX time cell is an Excel date serial
CHECK_EVERY_ROWS = 500  # how often long loops look at the stop flag and report progress


class ReportProblem(Exception):
    """The file cannot be imported; the text names it and says why."""


class BeingWritten(Exception):
    """The file looks half written (a fresh workbook that does not open): try again on the next look."""


class Stopped(Exception):
    """The connector is stopping: abandon the file."""


Progress = Callable[[int, int], None]  # rows done, rows in all (0: unknown)


@dataclass(frozen=True)
class Columns:
    """Configured header names; the aliases in ALIASES are accepted as well."""

    indicator: str = "indicator"
    unit: str = "unit"
    time: str = "time"
    value: str = "value"
    quality: str = "quality"


def header_key(text: Any) -> str:
    """A header cell as compared: NFC (files from macOS arrive decomposed), no case, "_" as a space."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFC", str(text)).casefold().replace("_", " ")
    return re.sub(r"\s+", " ", folded).strip()


def map_header(header: Sequence[Any], columns: Columns, fixed_indicator: str) -> tuple[dict[str, int], str]:
    """Column index per field, and "" or the reason the header does not fit."""
    keys = [header_key(h) for h in header]
    found: dict[str, int] = {}
    missing: list[str] = []
    for name in FIELDS:
        wanted = [header_key(getattr(columns, name))] + [header_key(a) for a in ALIASES[name]]
        taken = set(found.values())
        index = next((keys.index(w) for w in wanted if w and w in keys and keys.index(w) not in taken), None)
        if index is not None:
            found[name] = index
        elif name in REQUIRED and not (name == "indicator" and fixed_indicator):
            names = dict.fromkeys([getattr(columns, name), *ALIASES[name][1:2]])
            missing.append(f"{name} (a column headed {' or '.join(map(repr, names))})")
    if missing:
        shown_header = ", ".join(repr(str(h)) for h in header if not is_blank(h)) or "nothing"
        return found, f"no column for {'; no column for '.join(missing)}; the header row has {shown_header}"
    return found, ""


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV: whichever of ; , tab the header line holds most of (headers do not
    hold decimal commas, so a Vietnamese file with "12,5" values is still read as ;-separated)."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(path: Path) -> tuple[list[list[Any]], str]:
    """All records of a CSV (record N is row N as a spreadsheet shows it) and its delimiter."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        why = f"not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
        raise ReportProblem(f"{path.name}: {why}") from None
    except FileNotFoundError:
        raise  # gone since the folder was listed: nothing to report
    except OSError as exc:
        raise ReportProblem(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    delimiter = sniff_delimiter(text)
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)], delimiter
    except csv.Error as exc:
        raise ReportProblem(f"{path.name}: not a readable CSV file ({exc})") from None


def xlsx_rows(path: Path, sheet: str, fresh: bool, progress: Progress,
              stop: Callable[[], bool]) -> list[list[Any]]:
    """All rows of the chosen sheet (the first when ``sheet`` is ""), row N at index N-1."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # a damaged file makes the zip and XML parsers raise about anything
        if fresh:
            raise BeingWritten(str(exc)) from None
        reason = str(exc).strip() or type(exc).__name__
        raise ReportProblem(f"{path.name}: not a readable Excel workbook (.xlsx) ({reason})") from None
    try:
        if sheet:
            if sheet not in book.sheetnames:
                sheets = ", ".join(book.sheetnames)
                raise ReportProblem(f"{path.name}: no sheet named {sheet!r} (it has {sheets})")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        total = getattr(ws, "max_row", None) or 0
        progress(0, total)
        if hasattr(ws, "reset_dimensions"):
            # Some programs write a wrong size into the file, and openpyxl would stop reading there.
            ws.reset_dimensions()
        rows: list[list[Any]] = []
        for row in ws.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) % CHECK_EVERY_ROWS == 0:
                if stop():
                    raise Stopped
                # The size written in the file (absent from some writers' files, then 0: unknown).
                progress(len(rows), total if total >= len(rows) else 0)
        return rows
    except (ReportProblem, Stopped):
        raise
    except Exception as exc:  # as above: a sheet cut short or garbled inside a sound zip
        if fresh:
            raise BeingWritten(str(exc)) from None
        reason = str(exc).strip() or type(exc).__name__
        raise ReportProblem(f"{path.name}: the workbook is damaged ({reason})") from None
    finally:
        book.close()  # read-only workbooks keep the file open until closed


def excel_time(value: Any) -> Any:
    """An XLSX time cell holding a bare date serial (no date format) as a datetime; others as they are."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        is_year = float(value).is_integer() and YEARS[0] <= value <= YEARS[1]
        if not is_year and EXCEL_SERIALS[0] <= value < EXCEL_SERIALS[1]:
            return from_excel(value)
    return value


def read_report(path: Path, reader: RowReader, columns: Columns, sheet: str = "", fresh: bool = False,
                progress: Progress = lambda done, total: None,
                stop: Callable[[], bool] = lambda: False) -> list[KpiSample]:
    """Every value of one report, or ReportProblem listing its bad rows (none of its values kept)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, delimiter = csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows, delimiter = xlsx_rows(path, sheet, fresh, progress, stop), ""
    else:
        raise ReportProblem(f"{name}: not a CSV or XLSX file")
    header_at = next((i for i, r in enumerate(rows) if any(not is_blank(c) for c in r)), None)
    if header_at is None:
        raise ReportProblem(f"{name}: the file is empty")
    index, why = map_header(rows[header_at], columns, reader.fixed_indicator)
    if why:
        raise ReportProblem(f"{name} row {header_at + 1}: {why}")

    def cell(row: list[Any], field: str) -> Any:
        i = index.get(field)
        return row[i] if i is not None and i < len(row) else None

    body = range(header_at + 1, len(rows))
    # A file that writes any value with a decimal comma (or uses ; between columns, as the comma-decimal
    # locales do) writes 1.234 for a thousand two hundred thirty-four.
    grouped_dots = delimiter == ";" or any(isinstance(v, str) and "," in v
                                           for v in (cell(rows[i], "value") for i in body))
    xlsx = suffix != ".csv"
    samples: list[KpiSample] = []
    problems: list[str] = []
    total = len(body)
    if not xlsx:
        progress(0, total)
    for done, i in enumerate(body, start=1):
        row = rows[i]
        if done % CHECK_EVERY_ROWS == 0:
            if stop():
                raise Stopped
            if not xlsx:  # a workbook's progress was its reading, the slow part; this is quick
                progress(done, total)
        if all(is_blank(c) for c in row):
            continue  # spacer rows between blocks of a report
        when = cell(row, "time")
        try:
            samples.append(reader.sample(cell(row, "indicator"), cell(row, "unit"),
                                         excel_time(when) if xlsx else when, cell(row, "value"),
                                         cell(row, "quality"), grouped_dots))
        except RowError as exc:
            problems.append(f"{name} row {i + 1}: {exc}")
    if problems:
        raise ReportProblem(summarize(problems))
    return samples
