"""KPI tiles in a running console fed by a real SQLite file through the SQL connector: drill-down by
clicking bars and breadcrumbs, thresholds in the alert queue, stale and unavailable marks, pictures."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
import sqlite_utils
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage

from console.commands import RecallPreset, SavePreset, ShowKpi
from console.model.alerts import Severity
from console.site import load_site
from widgets.kpi_export import export_png
from widgets.tile_painter import STATUS

WAIT_MS = 15000

SITE = """
name = "KPI test"
language = "en"

[wall]
rows = 2
cols = 3
resolution = [1920, 1080]
screens = ["WALL-1", "WALL-2", "WALL-3", "WALL-4", "WALL-5", "WALL-6"]
default_layout = "2x2"
start_preset = "kpi"

[operator]
screen = "OPERATOR"

[control]
enabled = false

[[units]]
code = "P"
name = "Tỉnh P"
level = "province"

[[units]]
code = "D1"
name = "Huyện Một"
level = "district"
parent = "P"

[[units]]
code = "D2"
name = "Huyện Hai"
level = "district"
parent = "P"

[[units]]
code = "D3"
name = "Huyện Ba"
level = "district"
parent = "P"

[[units]]
code = "C1"
name = "Xã Một"
level = "commune"
parent = "D1"
formerly = ["OLD-1"]

[[units]]
code = "C2"
name = "Xã Hai"
level = "commune"
parent = "D1"

[[units]]
code = "C3"
name = "Xã Ba"
level = "commune"
parent = "D2"

[[indicators]]
id = "aqi"
name = "Chỉ số AQI"
name_en = "Air quality"
unit = "AQI"
domain = "environment"
target = 50
warning = 100
critical = 150
stale_after_s = 3600
rollup = "mean"

[[connectors]]
name = "kpi-db"
type = "sql"
settings = { url = "DBPATH", every_s = 0.2, history_s = 864000, query = "select indicator, unit, time, value from v where time > :since order by time" }

[[connectors]]
name = "reports"
type = "reports"
settings = { folder = "REPORTS", every_s = 0.3 }

[[presets]]
name = "kpi"
layout = "2x2"
tiles = ["kpi/aqi?view=bars", "kpi/aqi?unit=D2", "kpi/aqi?view=chart&range=1h", "alerts/all"]
"""


@pytest.fixture
def kpi_db(tmp_path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(tmp_path / "kpi.sqlite")
    db.path = tmp_path / "kpi.sqlite"  # type: ignore[attr-defined]
    now = time.time()
    rows = [{"indicator": "aqi", "unit": u, "time": now - 60, "value": v}
            for u, v in (("D1", 40.0), ("D2", 120.0), ("D3", 160.0), ("C1", 30.0), ("C2", 55.0))]
    # a commune whose last report is two hours old (stale after one)
    rows += [{"indicator": "aqi", "unit": "C3", "time": now - 7300 + k, "value": 70.0 + k} for k in range(2)]
    # an hour of history for the chart
    rows += [{"indicator": "aqi", "unit": "P", "time": now - 3600 + 36 * k, "value": 60.0 + (k % 10)}
             for k in range(100)]
    db.table("v").insert_all(rows)
    return db


@pytest.fixture
def kpi_console(tmp_path, make_console, registry, kpi_db):
    path = tmp_path / "site.toml"
    (tmp_path / "reports").mkdir()
    path.write_text(SITE.replace("DBPATH", str(kpi_db.path)).replace("REPORTS", str(tmp_path / "reports")),
                    encoding="utf-8")
    console = make_console(load_site(path, registry.types, registry.broken))
    book = console.store.kpi_book
    assert book is not None
    return console


def add(db: sqlite_utils.Database, unit: str, value: float, at: float | None = None) -> None:
    db.table("v").insert({"indicator": "aqi", "unit": unit, "time": at or time.time(), "value": value})


def wait_value(qtbot, console, unit: str, value: float) -> None:
    def arrived() -> bool:
        r = console.store.kpi_book.reading("aqi", unit)
        return r is not None and r.value == value
    qtbot.waitUntil(arrived, timeout=WAIT_MS)


def tile_image(console, tile: int, w: int = 960, h: int = 540) -> QImage:
    path = Path(console.db.path).parent / f"tile{tile}.png"
    export_png(console.operator.miniature.context(), tile - 1, console.store.state.tiles[tile - 1], w, h, path)
    return QImage(str(path))


def near(c: QColor, ref: QColor, tol: int = 30) -> bool:
    return abs(c.red() - ref.red()) <= tol and abs(c.green() - ref.green()) <= tol and abs(c.blue() - ref.blue()) <= tol


def bar_runs(img: QImage) -> list[tuple[int, QColor, int]]:
    """For each bar (top to bottom): its centre y, colour and length in pixels. Bars all start at one x:
    the first column, from the left, where a status colour runs down a good part of a row."""
    colours = [STATUS["ok"], STATUS["warning"], STATUS["critical"]]

    def coloured(x: int, y: int) -> bool:
        return any(near(img.pixelColor(x, y), k, 12) for k in colours)

    x0 = next((x for x in range(img.width() // 8, img.width())
               if sum(coloured(x, y) for y in range(0, img.height(), 2)) > img.height() // 20), None)
    if x0 is None:
        return []
    x = x0 + 2
    out = []
    y = 0
    while y < img.height():
        if not coloured(x, y):
            y += 1
            continue
        top = y
        while y < img.height() and coloured(x, y):
            y += 1
        mid = (top + y) // 2
        colour = img.pixelColor(x, mid)
        # threshold marks cross the bars: the bar ends at its colour's last pixel on the row
        last = max(x for x in range(x0, img.width()) if near(img.pixelColor(x, mid), colour, 12))
        out.append((mid, colour, last - x0 + 1))
    return out


def test_ranking_pixels_show_the_units_worst_first_with_their_status_colours(qtbot, kpi_console):
    wait_value(qtbot, kpi_console, "D3", 160.0)
    img = tile_image(kpi_console, 1)
    runs = [r for r in bar_runs(img) if r[2] > 5]
    assert len(runs) == 3, runs
    (_, c1, l1), (_, c2, l2), (_, c3, l3) = runs
    # worst first: 160 (critical, red), 120 (warning, amber), 40 (ok, green)
    assert near(c1, STATUS["critical"], 12) and near(c2, STATUS["warning"], 12) and near(c3, STATUS["ok"], 12)
    # lengths follow the values
    assert abs(l2 / l1 - 120 / 160) < 0.04 and abs(l3 / l1 - 40 / 160) < 0.04, (l1, l2, l3)


def click_hit(qtbot, console, tile: int, unit: str) -> None:
    view = console.operator.miniature
    view.repaint()
    hits = [h for h in view.hits.get(tile - 1, []) if h.unit == unit]
    assert hits, f"no click target for {unit} on tile {tile}: {view.hits.get(tile - 1)}"
    c = hits[0].rect.center()
    s, o = view._scale(), view._origin()
    pos = QPointF(o.x() + (c.x() - view.region.x) * s, o.y() + (c.y() - view.region.y) * s)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos.toPoint())


def test_clicking_bars_drills_down_and_the_breadcrumb_goes_back(qtbot, kpi_console):
    console = kpi_console
    wait_value(qtbot, console, "D3", 160.0)
    wait_value(qtbot, console, "C2", 55.0)
    click_hit(qtbot, console, 1, "D1")
    qtbot.waitUntil(lambda: console.store.state.tiles[0] == "kpi/aqi?unit=D1&view=bars", timeout=WAIT_MS)
    # the ranking now lists D1's communes
    runs = [r for r in bar_runs(tile_image(console, 1)) if r[2] > 5]
    assert len(runs) == 2 and abs(runs[1][2] / runs[0][2] - 30 / 55) < 0.05
    # a commune has no sub-units: clicking it opens its own chart
    click_hit(qtbot, console, 1, "C1")
    qtbot.waitUntil(lambda: console.store.state.tiles[0] == "kpi/aqi?unit=C1&view=chart", timeout=WAIT_MS)
    # breadcrumb: province > district > commune; clicking the province goes back up
    click_hit(qtbot, console, 1, "P")
    qtbot.waitUntil(lambda: console.store.state.tiles[0] == "kpi/aqi?view=chart&unit=P"
                    or console.store.state.tiles[0] == "kpi/aqi?unit=P&view=chart", timeout=WAIT_MS)
    # the drill state is part of the wall: a preset recalls it
    assert console.execute_operator(ShowKpi(tile=1, unit="D1", view="bars")).ok
    assert console.execute_operator(SavePreset(preset="Môi trường D1")).ok
    assert console.execute_operator(ShowKpi(tile=1, unit="P", view="card")).ok
    assert console.execute_operator(RecallPreset(preset="Môi trường D1")).ok
    assert console.store.state.tiles[0] == "kpi/aqi?unit=D1&view=bars"
    refused = console.execute_operator(ShowKpi(tile=1, unit="NOWHERE"))
    assert not refused.ok and "NOWHERE" in refused.error


def test_thresholds_raise_once_per_crossing_and_clear(qtbot, kpi_console, kpi_db):
    console = kpi_console
    wait_value(qtbot, console, "D3", 160.0)

    def kpi_alert(unit: str):
        return next((a for a in console.desk.alerts.values() if a.source == "kpi" and a.key == f"aqi@{unit}"), None)

    # D2 (120) and D3 (160) came in over their thresholds: one alert each, in the queue
    qtbot.waitUntil(lambda: kpi_alert("D2") is not None and kpi_alert("D3") is not None, timeout=WAIT_MS)
    d2 = kpi_alert("D2")
    assert d2.severity == Severity.MAJOR and d2.title.startswith("Chỉ số AQI over the warning threshold: 120")
    assert (d2.unit, d2.location, d2.domain) == ("D2", "Huyện Hai", "environment")
    queue = console.operator.queue
    qtbot.waitUntil(lambda: any(r.alert is not None and r.alert.id == d2.id for r in queue.model.rows),
                    timeout=WAIT_MS)
    # more values over the same threshold: no new raise
    add(kpi_db, "D2", 125.0)
    add(kpi_db, "D2", 130.0, time.time() + 1)
    wait_value(qtbot, console, "D2", 130.0)
    console.alert_service.flush()
    qtbot.wait(300)
    assert kpi_alert("D2").count == 1
    # over the critical threshold: the same alert escalates
    add(kpi_db, "D2", 170.0, time.time() + 2)
    qtbot.waitUntil(lambda: kpi_alert("D2").severity == Severity.CRITICAL, timeout=WAIT_MS)
    # back in range: cleared by its source
    add(kpi_db, "D2", 45.0, time.time() + 3)
    qtbot.waitUntil(lambda: kpi_alert("D2").cleared, timeout=WAIT_MS)


def stripe(img: QImage) -> QColor:
    """The card's status stripe, down its left edge below the caption."""
    return img.pixelColor(6, img.height() // 2)


def test_card_goes_stale_then_unavailable_keeping_the_last_value(qtbot, kpi_console, kpi_db, tmp_path):
    console = kpi_console
    wait_value(qtbot, console, "D2", 120.0)
    fresh = tile_image(console, 2)
    assert near(stripe(fresh), STATUS["warning"], 12)
    # a value two hours old (older than stale_after_s = 1 h): kept, greyed, footer in amber
    assert console.execute_operator(ShowKpi(tile=2, unit="C3")).ok
    wait_value(qtbot, console, "C3", 71.0)
    stale = tile_image(console, 2)
    assert not near(stripe(stale), STATUS["ok"], 12), "a stale value keeps its status colour"
    footer = [stale.pixelColor(x, stale.height() - 14) for x in range(20, 400)]
    assert any(near(c, STATUS["warning"], 40) for c in footer), "no amber stale mark in the footer"
    big_text = [stale.pixelColor(x, y) for x in range(40, 400, 3) for y in range(120, 260, 3)]
    assert any(c.lightness() > 110 for c in big_text), "the last value is not shown any more"

    # the database goes away: the connector retries, the card says the source is unavailable
    console.execute_operator(ShowKpi(tile=2, unit="D2"))
    Path(kpi_db.path).rename(tmp_path / "gone.sqlite")
    qtbot.waitUntil(lambda: console.store.health["kpi-db"].state == "retrying", timeout=WAIT_MS)
    gone = tile_image(console, 2)
    assert not near(stripe(gone), STATUS["warning"], 12)
    assert sum(c.lightness() > 60 for c in [gone.pixelColor(x, y) for x in range(40, 400, 3)
                                             for y in range(120, 260, 3)]) > 20, "the last value must stay"


def test_export_writes_the_tile_picture_and_its_numbers(qtbot, kpi_console, tmp_path):
    console = kpi_console
    wait_value(qtbot, console, "D3", 160.0)
    png = console.operator.export_kpi(1, "png", tmp_path / "out" / "ranking.png")
    assert png is not None
    img = QImage(str(png))
    assert img.width() > 400 and len([r for r in bar_runs(img) if r[2] > 5]) == 3
    out = console.operator.export_kpi(1, "csv", tmp_path / "out" / "ranking.csv")
    assert out is not None
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    by_unit = {r["unit_code"]: r for r in rows}
    assert set(by_unit) == {"P", "D1", "D2", "D3"}
    assert (by_unit["D3"]["value"], by_unit["D3"]["status"], by_unit["D2"]["unit"]) == ("160", "critical", "Huyện Hai")
    chart = console.operator.export_kpi(3, "csv", tmp_path / "out" / "chart.csv")
    with chart.open(encoding="utf-8-sig") as f:
        series = list(csv.DictReader(f))
    assert len(series) >= 99 and all(r["unit_code"] == "P" for r in series)


def test_live_chart_draws_the_series_its_thresholds_and_moves_with_new_values(qtbot, kpi_console, kpi_db):
    from widgets.kpi_chart import CHARTS, LINE, TARGET

    console = kpi_console
    wait_value(qtbot, console, "D3", 160.0)
    img = tile_image(console, 3)
    pixels = [img.pixelColor(x, y) for x in range(0, img.width(), 2) for y in range(0, img.height(), 2)]
    assert sum(near(c, LINE, 25) for c in pixels) > 150, "no series line on the chart"
    # the values (60-69) sit between the target (50, green dashes) and the warning line (100, amber):
    # the target is in view, the warning line is too far to keep
    rows_with = lambda colour: {y for y in range(img.height())  # noqa: E731
                                if sum(near(img.pixelColor(x, y), colour, 20) for x in range(200, 900, 4)) > 40}
    assert rows_with(TARGET), "no target line"
    assert not rows_with(STATUS["warning"]), "the warning line is kept in view although far off"
    # axis labels: light grey text left of the plot
    left = [img.pixelColor(x, y) for x in range(10, 120) for y in range(150, 450)]
    assert sum(c.lightness() > 120 for c in left) > 30, "no axis labels"
    # a new value far above the others redraws the chart: the line now reaches the top
    before = CHARTS.redraws
    add(kpi_db, "P", 140.0)
    wait_value(qtbot, console, "P", 140.0)
    qtbot.waitUntil(lambda: CHARTS.redraws > before, timeout=WAIT_MS)
    # the wall's own refresh passes redraw it (the export reuses their drawing): the warning line
    # comes into view with the high value
    qtbot.waitUntil(lambda: bool(rows_with_colour(tile_image(console, 3), STATUS["warning"])), timeout=WAIT_MS)


def rows_with_colour(img: QImage, colour: QColor) -> set[int]:
    return {y for y in range(img.height()) if sum(near(img.pixelColor(x, y), colour, 20)
                                                   for x in range(200, 900, 4)) > 40}


def test_a_report_with_a_bad_row_is_named_in_the_health_view_and_a_good_one_loads(qtbot, kpi_console, tmp_path):
    import openpyxl

    console = kpi_console
    bad = openpyxl.Workbook()
    sheet = bad.active
    sheet.append(["Chỉ tiêu", "Đơn vị", "Thời gian", "Giá trị"])
    sheet.append(["aqi", "C1", "2026-10-31", 41])
    sheet.append(["aqi", "C2", "2026-10-31", "khá cao"])
    bad.save(tmp_path / "reports" / "moi-truong-thang-10.xlsx")
    with (tmp_path / "reports" / "bao-cao.csv").open("w", encoding="utf-8-sig") as f:
        f.write("chỉ tiêu;đơn vị;thời gian;giá trị\naqi;OLD-1;2026-11-01;42,5\n")
    health = console.operator.health

    def said() -> str:
        health.refresh()
        try:
            return health.row_of("reports")["error"]
        except KeyError:
            return ""

    qtbot.waitUntil(lambda: "moi-truong-thang-10.xlsx row 3" in said(), timeout=WAIT_MS)
    # the good file loaded (its former unit code landed on today's unit); the bad one did not
    series = console.store.kpi_book.series("aqi", "C1")
    qtbot.waitUntil(lambda: series is not None and 42.5 in series.values.tolist(), timeout=WAIT_MS)
    assert 41.0 not in series.values.tolist()
