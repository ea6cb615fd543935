"""The KPI model without Qt: tile references, the unit tree, the book's values, rollups and crossings."""

from __future__ import annotations

import math

import pytest

from console.kpi.book import KpiBook, Series
from console.model.alerts import Severity
from console.model.kpi import Indicator, KpiRef, KpiRefError, KpiSample, Status, UnitTree
from console.model.sources import AdminUnit

UNITS = (
    AdminUnit("P", "Tỉnh P", "province"),
    AdminUnit("D1", "Huyện Một", "district", "P"),
    AdminUnit("D2", "Huyện Hai", "district", "P"),
    AdminUnit("C1", "Xã Một", "commune", "D1"),
    AdminUnit("C2", "Xã Hai", "commune", "D1"),
)
AQI = Indicator("aqi", "Chỉ số AQI", "Air quality", "AQI", "environment", target=50, warning=100, critical=150,
                rollup="mean")
ONLINE = Indicator("online", "Hồ sơ trực tuyến", unit_label="%", higher_is_better=True, warning=60, critical=45,
                   period="month", decimals=1)
TRAFFIC = Indicator("traffic", "Lưu lượng", unit_label="xe/h", rollup="sum")


def tree() -> UnitTree:
    return UnitTree(UNITS, {"X-old": "C1", "Y-old": "C1"})


def book() -> KpiBook:
    return KpiBook((AQI, ONLINE, TRAFFIC), tree())


def test_tile_reference_round_trip_and_errors():
    ref = KpiRef.parse("kpi/aqi?unit=D1&view=bars&range=7d")
    assert (ref.indicator, ref.unit, ref.view, ref.range, ref.range_s) == ("aqi", "D1", "bars", "7d", 7 * 86400)
    assert KpiRef.parse(ref.text()) == ref
    # defaults are left out, so a plain card stays a plain id
    assert KpiRef("aqi").text() == "kpi/aqi"
    assert ref.with_(unit="C1").text() == "kpi/aqi?unit=C1&view=bars&range=7d"
    for bad, word in (("kpi/aqi?view=pie", "pie"), ("kpi/aqi?range=2w", "2w"), ("kpi/?view=bars", "no indicator"),
                      ("kpi/aqi?colour=red", "colour"), ("demo/cam-01", "not a KPI")):
        with pytest.raises(KpiRefError, match=word):
            KpiRef.parse(bad)


def test_unit_tree_paths_children_and_former_codes():
    t = tree()
    assert t.default_scope() == "P"
    assert t.children("P") == ["D1", "D2"]
    assert t.path("C2") == ["P", "D1", "C2"]
    assert t.resolve("C2") == "C2"
    assert t.resolve("X-old") == "C1"
    assert t.resolve("nowhere") is None


def test_status_follows_the_direction_of_good():
    assert [AQI.status(v) for v in (40, 100, 149, 150)] == [Status.OK, Status.WARNING, Status.WARNING, Status.CRITICAL]
    assert [ONLINE.status(v) for v in (80, 60, 50, 45)] == [Status.OK, Status.WARNING, Status.WARNING, Status.CRITICAL]
    assert AQI.better(-5) is True and AQI.better(5) is False and ONLINE.better(5) is True
    assert AQI.better(0) is None


def test_bad_values_are_reported_and_the_good_ones_kept():
    b = book()
    problems, _ = b.ingest([
        KpiSample("aqi", "C1", 1000.0, 40.0),
        KpiSample("pm25", "C1", 1000.0, 1.0),
        KpiSample("aqi", "Z9", 1000.0, 1.0),
        KpiSample("aqi", "C2", 1000.0, math.nan),
        KpiSample("aqi", "C2", 10_000.0, 1.0),
    ], now=2000.0)
    assert len(problems) == 4
    assert "unknown indicator 'pm25'" in problems[0]
    assert "unknown unit code 'Z9'" in problems[1]
    assert "not a finite number" in problems[2]
    assert "in the future" in problems[3]
    reading = b.reading("aqi", "C1")
    assert reading is not None and reading.value == 40.0


def test_threshold_crossings_raise_once_and_clear():
    b = book()
    seen = []
    for t, v in enumerate([50, 120, 125, 160, 170, 130, 40, 45]):
        _, events = b.ingest([KpiSample("aqi", "D2", 100.0 + t, float(v))], now=200.0)
        seen.extend((e.severity, e.clear, e.key) for e in events)
    assert seen == [
        (Severity.MAJOR, False, "aqi@D2"),  # 50 -> 120: over the warning threshold
        (Severity.CRITICAL, False, "aqi@D2"),  # 125 -> 160: over the critical one
        (Severity.MAJOR, False, "aqi@D2"),  # 170 -> 130: back to warning
        (Severity.MAJOR, True, "aqi@D2"),  # 130 -> 40: in range, cleared
    ]


def test_units_without_values_roll_up_their_children():
    b = book()
    b.ingest([KpiSample("aqi", "C1", 10.0, 80.0), KpiSample("aqi", "C2", 20.0, 120.0),
              KpiSample("aqi", "D2", 20.0, 30.0)], now=100.0)
    d1 = b.reading("aqi", "D1")
    assert d1 is not None and (d1.value, d1.rolled_up, d1.status) == (100.0, 2, Status.WARNING)
    p = b.reading("aqi", "P")  # mean of D1 (itself rolled up) and D2
    assert p is not None and p.value == 65.0
    assert b.reading("online", "P") is None  # no rollup for this indicator


def test_former_codes_land_on_todays_unit_and_add_up_when_summed():
    b = book()
    b.ingest([KpiSample("traffic", "X-old", 50.0, 300.0), KpiSample("traffic", "Y-old", 50.0, 200.0)], now=100.0)
    r = b.reading("traffic", "C1")
    assert r is not None and r.value == 500.0


def test_series_keeps_order_replaces_same_time_and_trims():
    s = Series(max_points=100)
    for t in (5.0, 1.0, 3.0, 3.0, 9.0):
        s.add(t, t * 10)
    s.add(3.0, 33.0)
    assert s.times.tolist() == [1.0, 3.0, 5.0, 9.0]
    assert s.values.tolist() == [10.0, 33.0, 50.0, 90.0]
    for t in range(10, 200):
        s.add(float(t), 0.0)
    assert s.n <= 100 and s.times[-1] == 199.0
    assert list(s.times) == sorted(s.times)


def test_reading_at_a_frozen_time_and_previous_period():
    b = book()
    b.ingest([KpiSample("online", "C1", float(t), v) for t, v in ((100, 70.0), (200, 58.0), (300, 62.0))], now=400.0)
    now = b.reading("online", "C1")
    assert now is not None and (now.value, now.previous, now.change) == (62.0, 58.0, 4.0)
    then = b.reading("online", "C1", at=250.0)
    assert then is not None and (then.value, then.status) == (58.0, Status.WARNING)
    assert b.reading("online", "C1", at=50.0) is None
