"""Registers of papers: the wall tile that lists them across the room, and the operator's searchable table.

What a list tile shows is its reference, ``<register>?dir=in&overdue=1&q=words`` (``ListFilter``), so
the panel's "Show list on wall" and a briefing's scene put the same papers on every display. On the
wall, overdue papers come first (the most days late at the top): the count in the caption says how
many there are, and a list cut at the tile's bottom must not hide them. Thread: GUI thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.model.documents import DocRefError, DocumentItem, DocumentListing, ListFilter
from console.model.sources import Source, SourceKind
from console.store import Store
from widgets.tile_painter import MUTED, STATUS, TEXT, TileContext, _font, _paint_message, _unit_px

OVERDUE_RED = QColor(230, 64, 64)
DUE_TODAY = QColor(242, 178, 40)
DIRECTION_COLORS = {"in": QColor(90, 160, 230), "out": QColor(176, 140, 240)}
ROW_TINT = QColor(230, 64, 64, 46)  # an overdue row on the wall: the stripe says it, the tint finds it
ZEBRA = QColor(255, 255, 255, 9)
PANEL_OVERDUE_BG = QColor(120, 30, 30)
PANEL_OVERDUE_FG = QColor(255, 205, 205)
REFRESH_MS = 500


# -- shared texts ---------------------------------------------------------------------------------
def today_iso() -> str:
    return time.strftime("%Y-%m-%d")


def short_date(iso: str) -> str:
    """'2024-05-03' -> '03/05': the day and month a Vietnamese reader expects."""
    parts = iso.split("-")
    return f"{parts[2]}/{parts[1]}" if len(parts) == 3 else iso


def long_date(iso: str) -> str:
    parts = iso.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else iso


def days_late(item: DocumentItem, today: str) -> int:
    try:
        return (date.fromisoformat(today) - date.fromisoformat(item.deadline)).days
    except ValueError:
        return 0


def late_text(days: int) -> str:
    if days == 1:
        return QCoreApplication.translate("DocumentList", "1 day late")
    return QCoreApplication.translate("DocumentList", "%1 days late").replace("%1", str(days))


def count_parts(total: int, overdue: int, overdue_only: bool = False) -> tuple[str, str]:
    """The count as (plain part, red part): '12 papers', '3 overdue'. A list of overdue papers only
    says just how many are overdue."""
    late = QCoreApplication.translate("DocumentList", "%1 overdue").replace("%1", str(overdue)) if overdue else ""
    if overdue_only and overdue == total:
        return "", late
    if total == 1:
        papers = QCoreApplication.translate("DocumentList", "1 paper")
    else:
        papers = QCoreApplication.translate("DocumentList", "%1 papers").replace("%1", str(total))
    return papers, late


def count_text(total: int, overdue: int, overdue_only: bool = False) -> str:
    """'12 papers, 3 overdue'."""
    return ", ".join(part for part in count_parts(total, overdue, overdue_only) if part)


def direction_label(direction: str) -> str:
    if direction == "in":
        return QCoreApplication.translate("DocumentList", "Incoming")
    if direction == "out":
        return QCoreApplication.translate("DocumentList", "Outgoing")
    return direction


def filter_title(title: str, flt: ListFilter) -> str:
    """The register's name and what the filter keeps: 'Documents · Incoming · Overdue only · “đê”'."""
    parts = [title]
    if flt.direction:
        parts.append(direction_label(flt.direction))
    if flt.overdue_only:
        parts.append(QCoreApplication.translate("DocumentList", "Overdue only"))
    if flt.query:
        parts.append(f"“{flt.query}”")
    return " · ".join(parts)


def wall_order(items: list[DocumentItem], today: str) -> list[DocumentItem]:
    """Overdue first, the longest late at the top; then the register's own order (newest first)."""
    late = sorted((i for i in items if i.overdue(today)), key=lambda i: i.deadline)
    return late + [i for i in items if not i.overdue(today)]


# -- the wall tile --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowBand:
    """Where one paper's row lies on a painted tile (for tests and the operator's pointer)."""

    top: float
    bottom: float
    item: DocumentItem


def paint_document_list(p: QPainter, r: QRectF, index: int, ref_text: str, source: Source,
                        ctx: TileContext) -> list[RowBand]:
    """Paint a register's papers, filtered by the tile's reference; returns the rows' bands."""
    try:
        flt = ListFilter.parse(ref_text)
    except DocRefError as exc:
        _paint_message(p, r, QCoreApplication.translate("DocumentList", "Bad list settings"), str(exc))
        return []
    listing = ctx.store.doc_lists.get(source.id)
    u = _unit_px(r)
    title = filter_title(source.name, flt)
    if listing is None:
        top = _list_caption(p, r, title, ("", ""))
        _paint_message(p, r.adjusted(0, top, 0, 0), QCoreApplication.translate("DocumentList", "Waiting for data"),
                       "")
        return []
    today = today_iso()
    items = wall_order([i for i in listing.items if flt.matches(i, today)], today)
    overdue = sum(1 for i in items if i.overdue(today))
    top = _list_caption(p, r, title, count_parts(len(items), overdue, flt.overdue_only))
    footer_h = u * 1.2
    body = QRectF(r.left(), r.top() + top, r.width(), r.height() - top - footer_h)
    bands: list[RowBand] = []
    if not items:
        _paint_message(p, body, QCoreApplication.translate("DocumentList", "No papers match"), "", MUTED)
    else:
        bands = _paint_rows(p, body, items, today, u)
    more = len(items) - len(bands)
    health = ctx.store.health.get(source.connector)
    down = health is not None and health.state in ("retrying", "failed")
    _footer(p, QRectF(r.left(), r.bottom() - footer_h, r.width(), footer_h), listing, more, down, u)
    return bands


def _list_caption(p: QPainter, r: QRectF, title: str, count: tuple[str, str]) -> float:
    """The caption strip: the register and its filter on the left, the count on the right, its overdue
    part in red (it is what the room looks for)."""
    u = _unit_px(r)
    h = u * 1.7
    strip = QRectF(r.left(), r.top(), r.width(), h)
    p.fillRect(strip, QColor(0, 0, 0, 150))
    plain, red = count
    head = plain + (", " if plain and red else "")
    right_w = 0.0
    if head or red:
        p.setFont(_font(u * 0.8, bold=bool(red)))
        fm = QFontMetricsF(p.font())
        right_w = fm.horizontalAdvance(head + red) + u
        x = strip.right() - u * 0.5 - fm.horizontalAdvance(head + red)
        p.setPen(TEXT)
        p.drawText(QRectF(x, strip.top(), strip.right() - x, h), Qt.AlignmentFlag.AlignVCenter, head)
        if red:
            p.setPen(OVERDUE_RED)
            x2 = x + fm.horizontalAdvance(head)
            p.drawText(QRectF(x2, strip.top(), strip.right() - x2, h), Qt.AlignmentFlag.AlignVCenter, red)
    p.setFont(_font(u * 0.95, bold=True))
    p.setPen(TEXT)
    text = QFontMetricsF(p.font()).elidedText(title, Qt.TextElideMode.ElideRight, strip.width() - u - right_w)
    p.drawText(strip.adjusted(u * 0.5, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
    return h


def _deadline_text(item: DocumentItem, today: str) -> tuple[str, QColor, bool]:
    if not item.deadline:
        return "", MUTED, False
    if item.overdue(today):
        return late_text(max(1, days_late(item, today))), OVERDUE_RED, True
    if not item.done and item.deadline == today:
        return QCoreApplication.translate("DocumentList", "due today"), DUE_TODAY, True
    return QCoreApplication.translate("DocumentList", "due %1").replace("%1", short_date(item.deadline)), MUTED, False


def _badge_text(direction: str) -> str:
    if direction == "in":
        return QCoreApplication.translate("DocumentList", "IN")
    return QCoreApplication.translate("DocumentList", "OUT")


def _paint_rows(p: QPainter, body: QRectF, items: list[DocumentItem], today: str, u: float) -> list[RowBand]:
    """Two lines a paper: number, date, issuer and deadline above, the summary below across the whole
    width (the summary is what the room reads; one line would leave it a few words)."""
    row_h = u * 2.3
    fits = max(0, int(body.height() // row_h))
    if len(items) > fits and body.height() / (row_h * 0.85) >= fits + 1:
        # One more paper fits with the text a little smaller: better than a blank band at the bottom.
        u *= body.height() / ((fits + 1) * row_h)
        row_h = u * 2.3
        fits += 1
    bands: list[RowBand] = []
    y = body.top()
    for n, item in enumerate(items[:fits]):
        row = QRectF(body.left(), y, body.width(), row_h)
        late = item.overdue(today)
        if late:
            p.fillRect(row, ROW_TINT)
            p.fillRect(QRectF(row.left(), row.top(), u * 0.3, row_h), OVERDUE_RED)
        elif n % 2:
            p.fillRect(row, ZEBRA)
        _paint_row(p, row, item, today, u)
        bands.append(RowBand(row.top(), row.bottom(), item))
        y += row_h
    return bands


def _paint_row(p: QPainter, row: QRectF, item: DocumentItem, today: str, u: float) -> None:
    pad = u * 0.45
    left, right = row.left() + u * 0.3 + pad, row.right() - pad
    line1 = QRectF(left, row.top() + u * 0.15, right - left, u * 1.1)
    line2 = QRectF(left, line1.bottom(), right - left, u * 0.95)
    mid = Qt.AlignmentFlag.AlignVCenter
    # The direction as a small outlined badge: colour and word both say it (colour-blind operators).
    color = DIRECTION_COLORS.get(item.direction, MUTED)
    badge_font = _font(u * 0.5, bold=True)
    badge_w = max(QFontMetricsF(badge_font).horizontalAdvance(_badge_text(d)) for d in ("in", "out")) + u * 0.5
    badge = QRectF(left, line1.center().y() - u * 0.4, badge_w, u * 0.8)
    p.setPen(QPen(color, max(1.0, u * 0.06)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(badge, u * 0.15, u * 0.15)
    p.setFont(badge_font)
    p.drawText(badge, Qt.AlignmentFlag.AlignCenter, _badge_text(item.direction))
    x = badge.right() + pad
    # The deadline first, at the right: it must never be the part that is cut.
    text, text_color, bold = _deadline_text(item, today)
    deadline_w = 0.0
    if text:
        p.setFont(_font(u * 0.8, bold=bold))
        fm = QFontMetricsF(p.font())
        deadline_w = min(fm.horizontalAdvance(text), line1.width() * 0.4)
        p.setPen(text_color)
        p.drawText(line1, mid | Qt.AlignmentFlag.AlignRight, fm.elidedText(text, Qt.TextElideMode.ElideRight, deadline_w))
    room = right - deadline_w - pad
    for part, font, pen in ((item.number, _font(u * 0.8, bold=True), TEXT),
                            (short_date(item.date), _font(u * 0.8), MUTED),
                            (item.issuer, _font(u * 0.8), QColor(200, 206, 214))):
        if not part or room - x < u * 1.5:
            continue
        p.setFont(font)
        fm = QFontMetricsF(p.font())
        shown = fm.elidedText(part, Qt.TextElideMode.ElideRight, room - x)
        p.setPen(pen)
        p.drawText(QRectF(x, line1.top(), room - x, line1.height()), mid | Qt.AlignmentFlag.AlignLeft, shown)
        x += fm.horizontalAdvance(shown) + u * 0.6
    if item.summary:
        p.setFont(_font(u * 0.68))
        p.setPen(TEXT if not item.done else MUTED)
        summary_x = badge.right() + pad
        width = right - summary_x
        p.drawText(QRectF(summary_x, line2.top(), width, line2.height()), mid | Qt.AlignmentFlag.AlignLeft,
                   QFontMetricsF(p.font()).elidedText(item.summary, Qt.TextElideMode.ElideRight, width))


def _footer(p: QPainter, r: QRectF, listing: DocumentListing, more: int, down: bool, u: float) -> None:
    p.setFont(_font(u * 0.7))
    inner = r.adjusted(u * 0.5, 0, -u * 0.5, 0)
    stamp = time.strftime("%H:%M %d/%m/%Y", time.localtime(listing.source_time))
    text = QCoreApplication.translate("DocumentList", "as of %1").replace("%1", stamp)
    color = MUTED
    if down:
        text = QCoreApplication.translate("DocumentList", "SOURCE UNAVAILABLE, last list kept") + " · " + text
        color = STATUS["warning"]
    right_w = 0.0
    if more > 0:
        extra = QCoreApplication.translate("DocumentList", "+%1 more").replace("%1", str(more))
        right_w = QFontMetricsF(p.font()).horizontalAdvance(extra) + u
        p.setPen(TEXT)
        p.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, extra)
    p.setPen(color)
    p.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
               QFontMetricsF(p.font()).elidedText(text, Qt.TextElideMode.ElideRight, inner.width() - right_w))


# -- the operator's panel -------------------------------------------------------------------------
class DocumentTableModel(QAbstractTableModel):
    """The papers that pass the panel's filter, sorted by the column the operator clicked."""

    COLUMNS = ("number", "date", "direction", "issuer", "summary", "deadline")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocumentItem] = []
        self.today = today_iso()
        self.labels: dict[str, str] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[DocumentItem], today: str) -> None:
        self.beginResetModel()
        self.today = today
        self.rows = self._sorted(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.labels.get(self.COLUMNS[section], "")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        item = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        late = item.overdue(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "number":
                return item.number
            if column == "date":
                return long_date(item.date)
            if column == "direction":
                return self.labels.get(f"dir_{item.direction}", item.direction)
            if column == "issuer":
                return item.issuer
            if column == "summary":
                return item.summary
            if column == "deadline":
                if not item.deadline:
                    return ""
                text = long_date(item.deadline)
                if late:
                    text += " · " + late_text(max(1, days_late(item, self.today)))
                elif not item.done and item.deadline == self.today:
                    text += " · " + self.labels.get("due_today", "")
                return text
            return ""
        if role == Qt.ItemDataRole.BackgroundRole and late:
            return PANEL_OVERDUE_BG
        if role == Qt.ItemDataRole.ForegroundRole:
            if late:
                return PANEL_OVERDUE_FG
            if column == "direction":
                return DIRECTION_COLORS.get(item.direction)
            if column == "deadline" and not item.done and item.deadline == self.today:
                return DUE_TODAY
        if role == Qt.ItemDataRole.FontRole and (column == "number" or (late and column == "deadline")):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            where = self.labels["has_file"] if item.file else self.labels["no_file"]
            return "\n".join(t for t in (f"{item.number} · {item.issuer}", item.summary, where) if t)
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Column -1 (the view turning sorting on before any click): the register's own order.
        self._sort = (column, order) if 0 <= column < len(self.COLUMNS) else None
        self.layoutAboutToBeChanged.emit()
        self.rows = self._sorted(self.rows)
        self.layoutChanged.emit()

    def _sorted(self, rows: list[DocumentItem]) -> list[DocumentItem]:
        if self._sort is None:
            return list(rows)  # the register's order: newest first
        column, order = self._sort
        name = self.COLUMNS[column]
        descending = order == Qt.SortOrder.DescendingOrder

        def key(item: DocumentItem) -> tuple:
            if name == "deadline":
                # Papers without a deadline go last whichever way the column is sorted.
                return (not item.deadline) != descending, item.deadline
            value = getattr(item, name)
            return (value.casefold() if isinstance(value, str) else value,)

        return sorted(rows, key=key, reverse=descending)


class DocumentListPanel(QWidget):
    """The operator's view of the registers: search, filter, open a paper on a tile, or put the list
    itself on the wall. It only reads the store; the window turns its signals into commands."""

    sig_open_document = Signal(str)  # the DOCUMENT source id of the paper's local copy
    sig_show_on_wall = Signal(str)  # a list tile's reference: the register and the current filter

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = DocumentTableModel()
        self.register_label = QLabel(self)
        self.register = QComboBox(self)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.direction = QComboBox(self)
        self.overdue = QCheckBox(self)
        self.show_button = QPushButton(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DocumentTableModel.COLUMNS.index("summary"), QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.counts = QLabel(self)
        self.hint = QLabel(self)
        self.hint.setStyleSheet("color: #f2b228;")
        self.table.doubleClicked.connect(self._open_index)
        self.table.installEventFilter(self)  # Enter opens the selected paper
        self.search.textChanged.connect(lambda _t: self.refresh(force=True))
        self.direction.currentIndexChanged.connect(lambda _i: self.refresh(force=True))
        self.register.currentIndexChanged.connect(lambda _i: self.refresh(force=True))
        self.overdue.toggled.connect(lambda _c: self.refresh(force=True))
        self.show_button.clicked.connect(self._show_on_wall)

        chooser = QHBoxLayout()
        chooser.setContentsMargins(0, 0, 0, 0)
        chooser.addWidget(self.register_label)
        chooser.addWidget(self.register, 1)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.search, 3)
        filters.addWidget(self.direction, 1)
        filters.addWidget(self.overdue)
        filters.addWidget(self.show_button)
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 0, 0)
        foot.addWidget(self.counts)
        foot.addStretch(1)
        foot.addWidget(self.hint)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(chooser)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addLayout(foot)

        self._seen = -1
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.model.labels = {
            "number": self.tr("Number"), "date": self.tr("Date"), "direction": self.tr("In/out"),
            "issuer": self.tr("Issuer"), "summary": self.tr("Summary"), "deadline": self.tr("Deadline"),
            "dir_in": self.tr("Incoming"), "dir_out": self.tr("Outgoing"), "due_today": self.tr("due today"),
            "has_file": self.tr("Double-click or Enter: show this paper on a tile"),
            "no_file": self.tr("No local copy of the file yet"),
        }
        self.register_label.setText(self.tr("Register"))
        self.search.setPlaceholderText(self.tr("Search number, issuer, summary…"))
        self.overdue.setText(self.tr("Overdue only"))
        self.show_button.setText(self.tr("Show list on wall"))
        self.show_button.setToolTip(self.tr("Put this register, filtered as here, on the wall"))
        current = self.direction.currentData()
        self.direction.blockSignals(True)
        self.direction.clear()
        for data, label in (("", self.tr("All")), ("in", self.tr("Incoming")), ("out", self.tr("Outgoing"))):
            self.direction.addItem(label, data)
        self.direction.setCurrentIndex(max(0, self.direction.findData(current)))
        self.direction.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(DocumentTableModel.COLUMNS) - 1)
        self.refresh(force=True)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.open_current()
            return True
        return super().eventFilter(watched, event)

    # -- state ----------------------------------------------------------------------------------
    def registers(self) -> list[Source]:
        return sorted((s for s in self.store.sources.values() if s.kind == SourceKind.DOCUMENT_LIST),
                      key=lambda s: (s.name.casefold(), s.id))

    def current_register(self) -> str:
        return self.register.currentData() or ""

    def current_filter(self) -> ListFilter | None:
        source = self.current_register()
        if not source:
            return None
        return ListFilter(source, self.direction.currentData() or "", self.overdue.isChecked(),
                          " ".join(self.search.text().split()))

    def refresh(self, force: bool = False) -> None:
        if not force and self.store.live_version == self._seen:
            return
        self._seen = self.store.live_version
        self._fill_registers()
        flt = self.current_filter()
        listing = self.store.doc_lists.get(flt.source) if flt is not None else None
        today = today_iso()
        selected = self.selected_item()
        rows = [i for i in listing.items if flt.matches(i, today)] if listing and flt else []
        self.model.set_rows(rows, today)
        if selected is not None:
            for n, item in enumerate(self.model.rows):
                if item.id == selected.id:
                    self.table.selectRow(n)
                    break
        total = len(listing.items) if listing else 0
        overdue = sum(1 for i in rows if i.overdue(today))
        if listing is None:
            self.counts.setText(self.tr("Waiting for data") if flt is not None else self.tr("No register configured"))
        else:
            text = self.tr("%1 of %2 papers").replace("%1", str(len(rows))).replace("%2", str(total))
            if overdue:
                text += " · " + self.tr("%1 overdue").replace("%1", str(overdue))
            self.counts.setText(text)
        self.show_button.setEnabled(flt is not None)

    def _fill_registers(self) -> None:
        registers = self.registers()
        ids = [s.id for s in registers]
        if ids != [self.register.itemData(i) for i in range(self.register.count())] or any(
                self.register.itemText(i) != s.name for i, s in enumerate(registers)):
            current = self.register.currentData()
            self.register.blockSignals(True)
            self.register.clear()
            for s in registers:
                self.register.addItem(s.name, s.id)
            self.register.setCurrentIndex(max(0, self.register.findData(current)))
            self.register.blockSignals(False)
        # One register needs no chooser; several do.
        self.register.setVisible(len(registers) > 1)
        self.register_label.setVisible(len(registers) > 1)

    # -- actions --------------------------------------------------------------------------------
    def selected_item(self) -> DocumentItem | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def document_source(self, item: DocumentItem) -> str:
        """The DOCUMENT source that shows this paper's local copy ("" when there is none yet)."""
        if not item.file:
            return ""
        register = self.store.sources.get(self.current_register())
        matches = [s for s in self.store.sources.values() if s.kind == SourceKind.DOCUMENT and s.file == item.file]
        # The register's own connector first: another folder might list the very same file.
        matches.sort(key=lambda s: (register is None or s.connector != register.connector, s.id))
        return matches[0].id if matches else ""

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_index(index)

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid() or index.row() >= len(self.model.rows):
            return
        item = self.model.rows[index.row()]
        source = self.document_source(item)
        if source:
            self.hint.setText("")
            self.sig_open_document.emit(source)
        else:
            self.hint.setText(self.tr("No local copy of %1 yet").replace("%1", item.number))

    def _show_on_wall(self) -> None:
        flt = self.current_filter()
        if flt is not None:
            self.sig_show_on_wall.emit(flt.text())
