"""AlertQueueView: the duty operator's alert queue. Sorted by severity then age, filtered by
domain, unit, state and text, keyboard first (A acknowledge, S assign, R resolve, C close,
O reopen, N note), with overdue citizen reports highlighted, storms folded into one summary
row that says so, and new critical alerts flashing until acknowledged. Thread: GUI thread."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.alerts.desk import AlertDesk
from console.model.alerts import DOMAINS, Alert, AlertState, Severity
from console.model.sources import AdminUnit
from widgets.source_browser import fold

SEVERITY_COLORS = {
    Severity.CRITICAL: QColor(230, 64, 64),
    Severity.MAJOR: QColor(242, 140, 40),
    Severity.MINOR: QColor(242, 205, 60),
    Severity.INFO: QColor(90, 160, 230),
}
OVERDUE = QColor(120, 30, 30)
FLASH = QColor(110, 20, 20)
REFRESH_MS = 250  # bursts are coalesced: the table is rebuilt at most 4 times a second


@dataclass(frozen=True)
class Row:
    """One line of the queue: an alert, or a summary (a storm, or a domain x unit group)."""

    alert: Alert | None
    severity: Severity
    time: float
    domain: str
    title: str
    unit: str
    state: str
    assignee: str = ""
    acted: str = ""
    deadline: float | None = None
    count: int = 1
    summary: str = ""  # "storm" or "group"
    group: tuple[str, str] | None = None


class AlertTableModel(QAbstractTableModel):
    COLUMNS = ("severity", "time", "domain", "title", "unit", "state", "assignee", "acted", "deadline")

    def __init__(self, labels: Callable[[], dict[str, str]], unit_names: dict[str, str]) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.labels = labels
        self.unit_names = unit_names
        self.flash_on = False
        self.flashing: set[int] = set()

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.labels().get(self.COLUMNS[section], "")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        labels = self.labels()
        now = time.time()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "severity":
                return labels[f"sev_{row.severity.label}"]
            if column == "time":
                return time.strftime("%H:%M:%S", time.localtime(row.time))
            if column == "domain":
                return labels.get(f"dom_{row.domain}", row.domain)
            if column == "title":
                return row.title + (f"  ×{row.count}" if row.count > 1 and not row.summary else "")
            if column == "unit":
                return self.unit_names.get(row.unit, row.unit)
            if column == "state":
                return row.state
            if column == "assignee":
                return row.assignee
            if column == "acted":
                return row.acted
            if column == "deadline" and row.deadline:
                left = row.deadline - now
                stamp = time.strftime("%H:%M", time.localtime(row.deadline))
                return stamp + (" " + labels["overdue"] if left < 0 and row.alert and row.alert.is_open else "")
            return ""
        if role == Qt.ItemDataRole.ForegroundRole and column == "severity":
            return SEVERITY_COLORS[row.severity]
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.alert is not None and row.alert.id in self.flashing and self.flash_on:
                return FLASH
            if row.alert is not None and row.alert.overdue(now):
                return OVERDUE
        if role == Qt.ItemDataRole.FontRole and (row.summary or row.severity == Severity.CRITICAL):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and row.alert is not None:
            a = row.alert
            lines = [a.title, a.text, a.location, f"{a.source} · {a.key}"]
            lines += [f"{time.strftime('%H:%M:%S', time.localtime(h.ts))} {h.actor}: {h.action} {h.note}".rstrip()
                      for h in a.history[-8:]]
            return "\n".join(line for line in lines if line)
        return None


class AlertQueueView(QWidget):
    """The queue. Every action goes out through ``execute`` (the console's command path)."""

    sig_action = Signal(str, int)  # action, alert id: the window asks for assignee/notes when needed

    def __init__(self, desk: AlertDesk, units: tuple[AdminUnit, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.unit_names = {u.code: u.name for u in units}
        self._label_cache: dict[str, str] = {}
        self._folded: dict[int, tuple[tuple, str]] = {}
        self.model = AlertTableModel(self._labels, self.unit_names)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_click)
        self.text = QLineEdit(self)
        self.text.setClearButtonEnabled(True)
        self.domain = QComboBox(self)
        self.state = QComboBox(self)
        self.unit = QComboBox(self)
        self.grouped = QCheckBox(self)
        self.storm_banner = QLabel(self)
        self.storm_banner.setObjectName("wallNotice")
        self.storm_banner.hide()
        self.counts = QLabel(self)
        for w in (self.text,):
            w.textChanged.connect(lambda _t: self.refresh(force=True))
        for box in (self.domain, self.state, self.unit):
            box.currentIndexChanged.connect(lambda _i: self.refresh(force=True))
        self.grouped.toggled.connect(lambda _c: self.refresh(force=True))
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.text, 2)
        filters.addWidget(self.domain, 1)
        filters.addWidget(self.unit, 1)
        filters.addWidget(self.state, 1)
        filters.addWidget(self.grouped)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(filters)
        lay.addWidget(self.storm_banner)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.counts)
        for key, action in (("A", "acknowledge"), ("S", "assign"), ("R", "resolve"), ("C", "close"),
                            ("O", "reopen"), ("N", "note")):
            sc = QShortcut(QKeySequence(key), self.table)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda action=action: self._act(action))
        self._seen = -1
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._flash = QTimer(self)
        self._flash.setInterval(500)
        self._flash.timeout.connect(self._toggle_flash)
        self._flash.start()
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------
    def _labels(self) -> dict[str, str]:
        return self._label_cache

    def retranslate(self) -> None:
        self._label_cache = {
            "severity": self.tr("Severity"), "time": self.tr("Time"), "domain": self.tr("Domain"),
            "title": self.tr("Alert"), "unit": self.tr("Unit"), "state": self.tr("State"),
            "assignee": self.tr("Assigned to"), "acted": self.tr("Last action"), "deadline": self.tr("Deadline"),
            "overdue": self.tr("OVERDUE"),
            "sev_critical": self.tr("critical"), "sev_major": self.tr("major"), "sev_minor": self.tr("minor"),
            "sev_info": self.tr("info"),
            "dom_traffic": self.tr("traffic"), "dom_security": self.tr("security"),
            "dom_environment": self.tr("environment"), "dom_citizen_report": self.tr("citizen report"),
            "dom_information_security": self.tr("information security"), "dom_emergency": self.tr("emergency"),
            "dom_other": self.tr("other"),
            "st_new": self.tr("new"), "st_acknowledged": self.tr("acknowledged"), "st_assigned": self.tr("assigned"),
            "st_resolved": self.tr("resolved"), "st_closed": self.tr("closed"), "flapping": self.tr("flapping"),
            "cleared": self.tr("cleared by source"), "silenced": self.tr("silenced"),
        }
        self.text.setPlaceholderText(self.tr("Filter alerts… (A ack · S assign · R resolve · C close · N note)"))
        self.grouped.setText(self.tr("Group by domain and unit"))
        self._fill(self.domain, [("", self.tr("All domains"))] + [(d, self._label_cache[f"dom_{d}"]) for d in DOMAINS])
        self._fill(self.state, [("open", self.tr("Open")), ("new", self.tr("New")),
                                ("acknowledged", self.tr("Acknowledged")), ("assigned", self.tr("Assigned")),
                                ("resolved", self.tr("Resolved")), ("closed", self.tr("Closed")),
                                ("silenced", self.tr("Silenced")), ("overdue", self.tr("Overdue")),
                                ("all", self.tr("All"))])
        self._fill(self.unit, [("", self.tr("All units"))] + sorted(self.unit_names.items(), key=lambda kv: kv[1]))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(AlertTableModel.COLUMNS) - 1)
        self.refresh(force=True)

    @staticmethod
    def _fill(box: QComboBox, items: list[tuple[str, str]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        for data, label in items:
            box.addItem(label, data)
        index = box.findData(current)
        box.setCurrentIndex(max(0, index))
        box.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- rows -----------------------------------------------------------------------------
    def _state_text(self, a: Alert) -> str:
        text = self._label_cache[f"st_{a.state.value}"]
        if a.silenced_by is not None:
            text += " · " + self._label_cache["silenced"]
        if a.flapping:
            text += " · " + self._label_cache["flapping"]
        if a.cleared and a.is_open:
            text += " · " + self._label_cache["cleared"]
        return text

    def _filter(self) -> Callable[[Alert, float], bool]:
        """The current filters as one test; built once per refresh (thousands of alerts go through it)."""
        state = self.state.currentData() or "open"
        domain = self.domain.currentData() or ""
        unit = self.unit.currentData() or ""
        needle = fold(self.text.text().strip()).split()
        return lambda a, now: self._matches(a, now, state, domain, unit, needle)

    def _haystack(self, a: Alert) -> str:
        key = (a.id, a.title, a.assignee, a.state)
        hit = self._folded.get(a.id)
        if hit is None or hit[0] != key:
            text = fold(" ".join((a.title, a.text, a.location, self.unit_names.get(a.unit, a.unit), a.assignee,
                                  a.key)))
            hit = (key, text)
            self._folded[a.id] = hit
        return hit[1]

    def _matches(self, a: Alert, now: float, state: str, domain: str, unit: str, needle: list[str]) -> bool:
        if state == "silenced":
            if a.silenced_by is None:
                return False
        elif a.silenced_by is not None and state != "all":
            return False  # silenced alerts are listed under "Silenced", never lost
        elif state == "open" and not a.is_open:
            return False
        elif state == "overdue" and not a.overdue(now):
            return False
        elif state not in ("open", "all", "overdue") and a.state.value != state:
            return False
        if domain and a.domain != domain:
            return False
        if unit and a.unit != unit:
            return False
        if needle:
            hay = self._haystack(a)
            return all(word in hay for word in needle)
        return True

    def _row(self, a: Alert) -> Row:
        acted = ""
        if a.acted_by:
            acted = f"{a.acted_by} {time.strftime('%H:%M', time.localtime(a.acted_at or 0))}"
        return Row(a, a.severity, a.last_time, a.domain, a.title, a.unit, self._state_text(a), a.assignee, acted,
                   a.deadline, a.count)

    def build_rows(self) -> list[Row]:
        now = time.time()
        matches = self._filter()
        alerts = [a for a in self.desk.alerts.values() if matches(a, now)]
        rows: list[Row] = []
        folded = [a for a in alerts if self.desk.in_storm_fold(a)] if self.desk.storm else []
        if folded:
            ids = {a.id for a in folded}
            alerts = [a for a in alerts if a.id not in ids]
            per_unit = Counter(self.unit_names.get(a.unit, a.unit or "—") for a in folded)
            text = self.tr("STORM: %1 alerts folded; by unit: %2").replace("%1", str(len(folded))).replace(
                "%2", ", ".join(f"{u} {n}" for u, n in per_unit.most_common(8)))
            rows.append(Row(None, max(a.severity for a in folded), max(a.received_time for a in folded), "",
                            text, "", "", count=len(folded), summary="storm"))
        if self.grouped.isChecked():
            groups: dict[tuple[str, str], list[Alert]] = {}
            for a in alerts:
                groups.setdefault((a.domain, a.unit), []).append(a)
            for (domain, unit), members in groups.items():
                top = max(members, key=lambda a: (a.severity, a.last_time))
                title = f"{top.title}" + (f"  (+{len(members) - 1})" if len(members) > 1 else "")
                rows.append(Row(top if len(members) == 1 else None, top.severity, top.last_time, domain, title, unit,
                                self._state_text(top) if len(members) == 1 else "", count=len(members),
                                summary="" if len(members) == 1 else "group", group=(domain, unit)))
        else:
            rows.extend(self._row(a) for a in alerts)
        rows.sort(key=lambda r: (r.summary != "storm", -int(r.severity), -r.time))
        return rows

    def refresh(self, force: bool = False) -> None:
        if not force and self.desk.version == self._seen:
            return
        self._seen = self.desk.version
        selected = self.selected_alert()
        self.model.flashing = set(self.desk.new_critical)
        self.model.set_rows(self.build_rows())
        if selected is not None:
            for i, row in enumerate(self.model.rows):
                if row.alert is not None and row.alert.id == selected.id:
                    self.table.selectRow(i)
                    break
        now = time.time()
        # One pass for every count (a flood means thousands of alerts, four times a second).
        open_n = critical = overdue = silenced = 0
        for a in self.desk.alerts.values():
            if not a.is_open:
                continue
            if a.silenced_by is not None:
                silenced += 1
                continue
            open_n += 1
            critical += a.severity == Severity.CRITICAL and a.state == AlertState.NEW
            overdue += a.deadline is not None and now > a.deadline
        self.counts.setText(self.tr("Open %1 · critical unacknowledged %2 · overdue %3 · silenced %4").replace(
            "%1", str(open_n)).replace("%2", str(critical)).replace("%3", str(overdue)).replace("%4", str(silenced)))
        if self.desk.storm:
            self.storm_banner.setText(self.tr("Alert storm: new alerts are folded into one row per storm; "
                                              "critical alerts stay listed."))
        self.storm_banner.setVisible(self.desk.storm)

    def _toggle_flash(self) -> None:
        if self.desk.new_critical:
            self.model.flash_on = not self.model.flash_on
            self.model.dataChanged.emit(self.model.index(0, 0),
                                        self.model.index(self.model.rowCount() - 1, self.model.columnCount() - 1))

    # -- actions --------------------------------------------------------------------------
    def selected_alert(self) -> Alert | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()].alert

    def select_alert(self, alert_id: int) -> bool:
        for i, row in enumerate(self.model.rows):
            if row.alert is not None and row.alert.id == alert_id:
                self.table.selectRow(i)
                self.table.setCurrentIndex(self.model.index(i, 0))
                return True
        return False

    def _act(self, action: str) -> None:
        alert = self.selected_alert()
        if alert is not None:
            self.sig_action.emit(action, alert.id)

    def _on_double_click(self, index: QModelIndex) -> None:
        row = self.model.rows[index.row()]
        if row.summary == "group" and row.group is not None:
            # Open the group: filter to its domain and unit, ungrouped.
            self.domain.setCurrentIndex(max(0, self.domain.findData(row.group[0])))
            self.unit.setCurrentIndex(max(0, self.unit.findData(row.group[1])))
            self.grouped.setChecked(False)
        elif row.alert is not None and row.alert.state == AlertState.NEW:
            self.sig_action.emit("acknowledge", row.alert.id)
