"""The reports connector on a real folder of CSV and XLSX files (written with the csv module and openpyxl):
whole files or nothing, problems by spreadsheet row, damaged and half-written files, progress."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from connectors.reports import ReportsConfig
from tests.kpi_support import KpiEnv

OLD = time.time() - 3600  # a file modified this long ago is certainly not being written


@pytest.fixture
def env() -> Iterator[KpiEnv]:
    e = KpiEnv()
    yield e
    e.close()


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "reports"
    path.mkdir()
    return path


def write_xlsx(path: Path, rows: list[list[Any]], mtime: float | None = OLD) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def write_csv(path: Path, text: str, mtime: float | None = OLD) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # Excel's "CSV UTF-8" starts with a BOM
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def start(env: KpiEnv, folder: Path, **kwargs: Any) -> None:
    kwargs.setdefault("every_s", 0.1)
    env.start("reports", "reports", ReportsConfig(folder=str(folder), **kwargs))


def values(env: KpiEnv) -> set[tuple[str, str, float, float]]:
    return {(s.indicator, s.unit, s.time, s.value) for s in env.samples()}


def day(d: int, hour: int = 0) -> float:
    return datetime(2024, 5, d, hour).timestamp()  # naive: local time


VN_CSV = (
    "Chỉ tiêu;Mã đơn vị;Thời gian;Giá trị\n"
    "water_loss;HL;2024-05-01;12,5\n"
    "revenue;NB;01/05/2024;1.234,5\n"
    "\n"  # a spacer row
    "water_loss;YT;2024-05-01 07:30;9\n"  # a former commune's code
)


def test_good_csv_and_xlsx_files_load(env, folder):
    write_csv(folder / "cap_nuoc_thang_5.csv", VN_CSV)
    write_xlsx(folder / "moi_truong.xlsx", [
        ["Indicator", "UNIT", "time", "value", "quality"],
        ["aqi", "HL", datetime(2024, 5, 2, 8, 0), 57, "good"],
        ["aqi", "TT", "2024-05-02T09:00:00", "64,5", "uncertain"],
    ])
    start(env, folder)
    env.wait_until(lambda: len(env.samples()) >= 5 and env.last("reports").detail.startswith("2 files"))
    assert values(env) == {
        ("water_loss", "HL", day(1), 12.5),
        ("revenue", "NB", day(1), 1234.5),
        ("water_loss", "YM", day(1, 7) + 30 * 60, 9.0),
        ("aqi", "HL", day(2, 8), 57.0),
        ("aqi", "TT", day(2, 9), 64.5),
    }
    assert {s.quality for s in env.samples() if s.unit == "TT"} == {"uncertain"}
    assert len(env.batches) == 2  # one batch per file
    assert env.last("reports").detail == "2 files, 5 values imported"
    env.idle(0.4)
    assert len(env.batches) == 2  # unchanged files are not read again


def test_a_bad_row_holds_back_its_file_and_a_fix_loads_it(env, folder):
    bad_rows: list[list[Any]] = [
        [],  # row 1 is empty: the header is the first non-empty row
        ["chi_tieu", "don_vi", "ngày", "giá trị"],  # row 2
        ["aqi", "HL", "2024-05-03", 777],  # row 3
        ["aqi", "TT", "2024-05-03", "abc"],  # row 4: the bad one
        ["aqi", "YM", "2024-05-03", 778],  # row 5
    ]
    write_xlsx(folder / "bad.xlsx", bad_rows)
    write_csv(folder / "good.csv", "indicator,unit,time,value\naqi,NB,2024-05-03,41\n")
    start(env, folder)
    env.wait_until(lambda: "bad.xlsx" in env.last("reports").detail, what="the problem shown")
    env.wait_until(lambda: len(env.samples()) >= 1)
    detail = env.last("reports").detail
    assert detail == "1 file, 1 value imported; not loaded: bad.xlsx row 4: value: 'abc' is not a number"
    assert values(env) == {("aqi", "NB", day(3), 41.0)}  # none of bad.xlsx's values
    assert env.rejected("reports") == 1

    bad_rows[3] = ["aqi", "TT", "2024-05-03", 779]
    write_xlsx(folder / "bad.xlsx", bad_rows, mtime=None)  # a department fixes the file and saves it again
    env.wait_until(lambda: len(env.samples()) >= 4, what="the fixed file's values")
    assert {s.value for s in env.samples()} == {41.0, 777.0, 778.0, 779.0}
    env.wait_until(lambda: env.last("reports").detail == "2 files, 4 values imported")


def test_many_bad_rows_are_listed_five_then_counted(env, folder):
    rows = "".join(f"aqi,HL,2024-05-{d:02d},x{d}\n" for d in range(1, 9))
    write_csv(folder / "many.csv", "indicator,unit,time,value\n" + rows)
    start(env, folder)
    env.wait_until(lambda: "many.csv" in env.last("reports").detail)
    detail = env.last("reports").detail
    assert re.findall(r"many\.csv row (\d+)", detail) == ["2", "3", "4", "5", "6"]
    assert detail.endswith("; and 3 more")
    assert env.samples() == []


def test_a_damaged_workbook_is_named_and_others_load(env, folder):
    (folder / "damaged.xlsx").write_bytes(os.urandom(4096))
    os.utime(folder / "damaged.xlsx", (OLD, OLD))
    write_csv(folder / "good.csv", "indicator;unit;time;value\naqi;HL;2024-05-04;12\n")
    start(env, folder)
    env.wait_until(lambda: "damaged.xlsx" in env.last("reports").detail and env.samples())
    assert "not loaded: damaged.xlsx: not a readable Excel workbook (.xlsx)" in env.last("reports").detail
    assert values(env) == {("aqi", "HL", day(4), 12.0)}
    assert env.last("reports").state == "ok"


def test_a_half_written_workbook_waits_for_the_rest(env, folder, tmp_path):
    whole = tmp_path / "whole.xlsx"
    write_xlsx(whole, [["indicator", "unit", "time", "value"], ["aqi", "HL", "2024-05-05", 5]])
    data = whole.read_bytes()
    target = folder / "arriving.xlsx"
    target.write_bytes(data[: len(data) // 2])  # a copy still in progress: fresh, and not a workbook yet
    start(env, folder)
    env.idle(0.6)
    assert not [d for d in env.details("reports") if "arriving" in d]
    assert env.rejected("reports") == 0
    target.write_bytes(data)
    env.wait_until(lambda: env.samples(), what="the finished file")
    assert values(env) == {("aqi", "HL", day(5), 5.0)}
    assert env.rejected("reports") == 0


def test_a_long_import_shows_progress(env, folder):
    units = ["HL", "TT", "YM", "NB"]
    book = openpyxl.Workbook()  # not write-only: Excel, too, writes the sheet's size into the file
    sheet = book.active
    assert sheet is not None
    sheet.append(["indicator", "unit", "time", "value"])
    start_t = datetime(2024, 1, 1).timestamp()
    for i in range(20_000):
        sheet.append(["aqi", units[i % 4], start_t + i * 3600, i % 500])
    book.save(folder / "big.xlsx")
    os.utime(folder / "big.xlsx", (OLD, OLD))
    start(env, folder)
    env.wait_until(lambda: env.last("reports").detail.startswith("1 file,"), timeout=20)
    details = env.details("reports")
    progress = [d for d in details if re.fullmatch(r"big\.xlsx: \d+/\d+ rows", d)]
    assert progress, details
    assert details.index(progress[0]) < details.index("1 file, 20000 values imported")
    assert len(env.samples()) == 20_000


def test_a_missing_folder_is_retrying_with_its_name(env, tmp_path):
    missing = tmp_path / "not-there"
    start(env, missing)
    env.wait_until(lambda: env.last("reports").state == "retrying")
    error = env.last("reports").last_error
    assert str(missing) in error and "does not exist" in error
    missing.mkdir()
    write_csv(missing / "late.csv", "indicator,unit,time,value\naqi,HL,2024-05-06,1\n")
    env.wait_until(lambda: env.samples(), what="values once the folder exists")
