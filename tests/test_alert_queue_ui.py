"""The operator's alert queue in the running console, driven as an operator drives it: rows for new
alerts, A/S/R on the keyboard, filters, overdue reports, the tone and the wall's banner for critical
alerts, and the storm row. Alerts are submitted straight to the console's alert service; the demo
connector is slowed down so that only its first few alerts share the queue with the test's."""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from console.commands import AckAlert
from console.model.alerts import Alert, AlertEvent, AlertState, Severity
from console.persistence import AuditRecord
from widgets.alert_queue import OVERDUE, AlertTableModel, Row

WAIT_MS = 5000
COLUMN = {name: i for i, name in enumerate(AlertTableModel.COLUMNS)}


@pytest.fixture
def site(demo_site):
    """The demo site, with the demo connector's random alerts made rare (it still raises four at start)."""
    demo = demo_site.connector_configs["demo"].model_copy(update={"alert_every_s": 3600})
    return dataclasses.replace(demo_site, connector_configs={**demo_site.connector_configs, "demo": demo})


# -- helpers (this file's own) --------------------------------------------------------------------

def event(key: str, title: str, severity: Severity = Severity.MAJOR, domain: str = "traffic",
          unit: str = "w-hoalu", **kw: Any) -> AlertEvent:
    now = time.time()
    return AlertEvent("test", key, severity, domain, title, unit=unit, source_time=now, received_time=now, **kw)


def submit(qtbot, console, *events: AlertEvent) -> list[Alert]:
    """Submit to the alert service; wait until the GUI side holds every one of them."""
    console.alert_service.submit(list(events))
    book = console.alert_service.book

    def mirrored() -> bool:
        ids = [book.by_key.get((e.source, e.key)) for e in events]
        return all(i is not None and i in console.desk.alerts for i in ids)

    qtbot.waitUntil(mirrored, timeout=WAIT_MS)
    return [console.desk.alerts[book.by_key[(e.source, e.key)]] for e in events]


def row_index(queue, alert_id: int) -> int | None:
    return next((i for i, r in enumerate(queue.model.rows) if r.alert is not None and r.alert.id == alert_id), None)


def row_of(queue, alert_id: int) -> Row | None:
    i = row_index(queue, alert_id)
    return None if i is None else queue.model.rows[i]


def cell(queue, alert_id: int, column: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    i = row_index(queue, alert_id)
    assert i is not None, f"alert {alert_id} is not in the queue"
    return queue.model.data(queue.model.index(i, COLUMN[column]), role)


def audit(console, command: str) -> list[AuditRecord]:
    assert console.db.flush(), "the database writer did not catch up"
    return [r for r in console.db.audit_rows() if r.command == command]


def activate(qtbot, window) -> None:
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def focus_queue_by_keyboard(qtbot, console) -> None:
    activate(qtbot, console.operator)
    qtbot.keyClick(console.operator, Qt.Key.Key_F6)
    qtbot.waitUntil(console.operator.queue.table.hasFocus, timeout=WAIT_MS)


def bottom_strip_is_red(view) -> bool:
    """Whether the bottom of a wall window is covered by the critical banner's dark red strip."""
    img: QImage = view.grab().toImage()
    h, w = img.height(), img.width()
    samples = [img.pixelColor(x, y) for y in range(h - 40, h - 4, 6) for x in range(w // 2, w - 8, 24)]
    red = sum(1 for c in samples if c.red() >= 90 and c.green() <= 70 and c.blue() <= 70 and c.red() > 2 * c.green())
    return red >= 0.9 * len(samples)


def quiet_criticals(qtbot, console) -> None:
    """Acknowledge whatever critical alert the demo connector raised at start."""
    qtbot.waitUntil(lambda: len(console.desk.alerts) >= 1, timeout=WAIT_MS)
    for a in console.desk.unacknowledged_critical():
        assert console.execute(AckAlert(alert=a.id), "supervisor", "test").ok
    qtbot.waitUntil(lambda: not console.desk.unacknowledged_critical(), timeout=WAIT_MS)


# -- rows and the keyboard ------------------------------------------------------------------------

def test_a_submitted_alert_is_a_row_and_the_keyboard_takes_it_through_its_steps(qtbot, make_console, site,
                                                                                monkeypatch):
    console = make_console(site)
    queue = console.operator.queue
    (a,) = submit(qtbot, console, event("flood-1", "Ngập nước tại ngã tư Lê Lợi"))
    qtbot.waitUntil(lambda: row_of(queue, a.id) is not None, timeout=WAIT_MS)
    row = row_of(queue, a.id)
    assert row is not None and row.title == "Ngập nước tại ngã tư Lê Lợi"
    assert cell(queue, a.id, "state") == "new" and cell(queue, a.id, "unit") == "Phường Hoa Lư"

    # A: acknowledge, from the keyboard only.
    focus_queue_by_keyboard(qtbot, console)
    assert queue.select_alert(a.id)
    qtbot.keyClick(queue.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: console.desk.alerts[a.id].state == AlertState.ACKNOWLEDGED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: cell(queue, a.id, "state") == "acknowledged", timeout=WAIT_MS)
    assert cell(queue, a.id, "acted").startswith("tester ")
    (ack,) = audit(console, "ack_alert")
    assert (ack.actor, ack.origin, ack.args, ack.result) == ("tester", "operator-ui", {"alert": a.id, "note": ""},
                                                             "applied")

    # S asks whom to assign to; cancelling the question does nothing.
    monkeypatch.setattr(console.operator, "_ask", lambda *args, **kw: None)
    assert queue.select_alert(a.id)
    with qtbot.waitSignal(queue.sig_action, timeout=WAIT_MS) as sig:
        qtbot.keyClick(queue.table, Qt.Key.Key_S)
    assert sig.args == ["assign", a.id]
    assert audit(console, "assign_alert") == []
    # Answered: assigned, and the row says to whom.
    monkeypatch.setattr(console.operator, "_ask", lambda *args, **kw: "Công an phường")
    result = console.operator.alert_action("assign", a.id)
    assert result is not None and result.ok
    qtbot.waitUntil(lambda: console.desk.alerts[a.id].state == AlertState.ASSIGNED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: cell(queue, a.id, "assignee") == "Công an phường", timeout=WAIT_MS)
    assert cell(queue, a.id, "state") == "assigned"
    assert audit(console, "assign_alert")[-1].args["assignee"] == "Công an phường"

    # R resolves, with the note the operator typed; the resolved alert leaves the open queue.
    monkeypatch.setattr(console.operator, "_ask", lambda *args, **kw: "Đã bơm thoát nước xong")
    focus_queue_by_keyboard(qtbot, console)
    assert queue.select_alert(a.id)
    qtbot.keyClick(queue.table, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: console.desk.alerts[a.id].state == AlertState.RESOLVED, timeout=WAIT_MS)
    last = console.desk.alerts[a.id].history[-1]
    assert (last.actor, last.action, last.note) == ("tester", "resolved", "Đã bơm thoát nước xong")
    qtbot.waitUntil(lambda: row_of(queue, a.id) is None, timeout=WAIT_MS)
    assert audit(console, "resolve_alert")[-1].args == {"alert": a.id, "note": "Đã bơm thoát nước xong"}
    # It is still there under "All", resolved.
    queue.state.setCurrentIndex(queue.state.findData("all"))
    qtbot.waitUntil(lambda: row_of(queue, a.id) is not None, timeout=WAIT_MS)
    assert cell(queue, a.id, "state") == "resolved"


def test_a_refused_key_leaves_the_alert_and_says_why(qtbot, make_console, site):
    console = make_console(site)
    queue = console.operator.queue
    (a,) = submit(qtbot, console, event("jam-1", "Kẹt xe cầu Đoan Vĩ"))
    qtbot.waitUntil(lambda: row_of(queue, a.id) is not None, timeout=WAIT_MS)
    focus_queue_by_keyboard(qtbot, console)
    assert queue.select_alert(a.id)
    qtbot.keyClick(queue.table, Qt.Key.Key_O)  # reopen a new alert: refused
    qtbot.waitUntil(lambda: "cannot reopen" in console.operator.statusBar().currentMessage(), timeout=WAIT_MS)
    assert console.desk.alerts[a.id].state == AlertState.NEW
    (row,) = audit(console, "reopen_alert")
    assert row.actor == "tester" and row.result == f"refused: cannot reopen alert {a.id}: it is new"


# -- filters and overdue --------------------------------------------------------------------------

def test_domain_and_text_filters_hide_other_rows(qtbot, make_console, site):
    console = make_console(site)
    queue = console.operator.queue
    jam, smoke, fight = submit(
        qtbot, console,
        event("jam-2", "Kẹt xe cầu Đoan Vĩ", domain="traffic"),
        event("smoke-2", "Khói tại khu công nghiệp Gián Khẩu", domain="environment", unit="c-giavien"),
        event("fight-2", "Ẩu đả tại chợ Rồng", domain="security", unit="w-namdinh"),
    )
    shown = lambda: {r.alert.id for r in queue.model.rows if r.alert is not None}  # noqa: E731
    qtbot.waitUntil(lambda: {jam.id, smoke.id, fight.id} <= shown(), timeout=WAIT_MS)

    queue.domain.setCurrentIndex(queue.domain.findData("environment"))
    qtbot.waitUntil(lambda: smoke.id in shown() and jam.id not in shown() and fight.id not in shown(),
                    timeout=WAIT_MS)
    assert all(r.domain == "environment" for r in queue.model.rows)

    queue.domain.setCurrentIndex(queue.domain.findData(""))
    qtbot.waitUntil(lambda: {jam.id, smoke.id, fight.id} <= shown(), timeout=WAIT_MS)
    qtbot.keyClicks(queue.text, "doan vi")  # no diacritics needed
    qtbot.waitUntil(lambda: shown() == {jam.id}, timeout=WAIT_MS)
    queue.text.clear()
    qtbot.keyClicks(queue.text, "nam dinh")  # the unit's name matches too
    qtbot.waitUntil(lambda: fight.id in shown() and not {jam.id, smoke.id} & shown(), timeout=WAIT_MS)
    for r in queue.model.rows:  # the demo's own alerts shown are from there too
        assert r.alert is not None and (r.alert.unit == "w-namdinh" or "Nam Định" in r.alert.location), r
    queue.text.clear()
    qtbot.waitUntil(lambda: {jam.id, smoke.id, fight.id} <= shown(), timeout=WAIT_MS)


def test_an_overdue_citizen_report_is_highlighted_and_counted(qtbot, make_console, site):
    console = make_console(site)
    queue = console.operator.queue
    now = time.time()
    late, fresh = submit(
        qtbot, console,
        event("report-1", "Phản ánh: đèn đường hỏng", Severity.MINOR, "citizen_report", deadline=now - 120),
        event("report-2", "Phản ánh: rác thải", Severity.MINOR, "citizen_report", deadline=now + 3600),
    )
    qtbot.waitUntil(lambda: row_of(queue, late.id) is not None and row_of(queue, fresh.id) is not None,
                    timeout=WAIT_MS)
    assert cell(queue, late.id, "title", Qt.ItemDataRole.BackgroundRole) == OVERDUE
    assert cell(queue, fresh.id, "title", Qt.ItemDataRole.BackgroundRole) != OVERDUE
    assert cell(queue, late.id, "deadline").endswith("OVERDUE")
    qtbot.waitUntil(lambda: "overdue 1 " in queue.counts.text(), timeout=WAIT_MS)
    queue.state.setCurrentIndex(queue.state.findData("overdue"))
    qtbot.waitUntil(lambda: [r.alert.id for r in queue.model.rows if r.alert] == [late.id], timeout=WAIT_MS)


# -- critical: the tone and the wall's banner -----------------------------------------------------

def test_a_critical_alert_sounds_and_shows_on_the_wall_until_acknowledged(qtbot, make_console, site):
    console = make_console(site)
    quiet_criticals(qtbot, console)
    d23 = console.wall.windows["D23"]
    qtbot.waitUntil(lambda: not console.sound.sounding and console.wall_banner() == "", timeout=WAIT_MS)
    assert not bottom_strip_is_red(d23)

    (a,) = submit(qtbot, console, event("fire-1", "Cháy nhà dân", Severity.CRITICAL, "emergency"))
    qtbot.waitUntil(lambda: console.sound.sounding, timeout=WAIT_MS)
    banner = console.wall_banner()
    assert "Cháy nhà dân" in banner and "Phường Hoa Lư" in banner
    qtbot.waitUntil(lambda: bottom_strip_is_red(d23), timeout=WAIT_MS)
    assert a.id in console.desk.new_critical

    assert console.execute_operator(AckAlert(alert=a.id)).ok
    qtbot.waitUntil(lambda: not console.sound.sounding, timeout=WAIT_MS)
    assert console.wall_banner() == ""
    qtbot.waitUntil(lambda: not bottom_strip_is_red(d23), timeout=WAIT_MS)


# -- storms ---------------------------------------------------------------------------------------

def test_a_storm_is_folded_into_one_row_with_a_banner(qtbot, make_console, site):
    console = make_console(site)
    queue = console.operator.queue
    assert not queue.storm_banner.isVisible()
    burst = [event(f"storm-{i}", f"Mất tín hiệu cảm biến {i}", Severity.MINOR, "environment") for i in range(60)]
    submit(qtbot, console, *burst)
    qtbot.waitUntil(lambda: bool(queue.model.rows) and queue.model.rows[0].summary == "storm", timeout=WAIT_MS)
    storm = queue.model.rows[0]
    assert storm.count >= 60
    per_unit = re.search(r"Phường Hoa Lư (\d+)", storm.title)  # the fold says where they come from
    assert per_unit is not None and int(per_unit.group(1)) >= 60, storm.title
    folded_keys = {e.key for e in burst}
    assert not any(r.alert is not None and r.alert.key in folded_keys for r in queue.model.rows)
    qtbot.waitUntil(queue.storm_banner.isVisible, timeout=WAIT_MS)
    assert "storm" in queue.storm_banner.text().lower()
    # A critical alert during the storm stays listed on its own.
    (crit,) = submit(qtbot, console, event("storm-crit", "Sập cầu tạm", Severity.CRITICAL, "emergency"))
    qtbot.waitUntil(lambda: row_of(queue, crit.id) is not None, timeout=WAIT_MS)
    assert queue.model.rows[0].summary == "storm"
