"""SourceBrowser: every source of every connector, grouped by connector or by administrative unit,
filterable by text, dragged onto wall tiles. Thread: GUI thread."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from console.model.sources import AdminUnit, Source, SourceKind
from console.store import Store
from widgets.wall_view import SOURCE_MIME

SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def fold(text: str) -> str:
    """Lower-case without diacritics, so 'hoa lu' finds 'Hoa Lư' (operators type fast)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


class _Model(QStandardItemModel):
    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [SOURCE_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        data = QMimeData()
        for index in indexes:
            sid = index.data(SOURCE_ROLE)
            if sid:
                data.setData(SOURCE_MIME, sid.encode("utf-8"))
                data.setText(sid)
                break
        return data


class _Filter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.needle = ""
        self.setRecursiveFilteringEnabled(True)

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self.needle = fold(text.strip())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if not self.needle:
            return True
        index = self.sourceModel().index(row, 0, parent)
        return all(word in (index.data(SEARCH_ROLE) or "") for word in self.needle.split())


def kind_label(kind: SourceKind) -> str:
    labels = {
        SourceKind.CAMERA: QCoreApplication.translate("SourceBrowser", "Cameras"),
        SourceKind.KPI: QCoreApplication.translate("SourceBrowser", "Indicators (KPI)"),
        SourceKind.ALERTS: QCoreApplication.translate("SourceBrowser", "Alert feeds"),
        SourceKind.DOCUMENT: QCoreApplication.translate("SourceBrowser", "Documents"),
        SourceKind.TOUR: QCoreApplication.translate("SourceBrowser", "Camera tours"),
        SourceKind.DOCUMENT_LIST: QCoreApplication.translate("SourceBrowser", "Registers of papers"),
        SourceKind.AGENDA: QCoreApplication.translate("SourceBrowser", "Meeting agendas"),
    }
    return labels.get(kind, str(kind))


class SourceBrowser(QWidget):
    sig_source_activated = Signal(str)  # Enter or double-click: put it on the selected tile

    BY_CONNECTOR, BY_UNIT = 0, 1

    def __init__(self, store: Store, units: tuple[AdminUnit, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.units = {u.code: u for u in units}
        self._model = _Model(self)
        self._proxy = _Filter()
        self._proxy.setSourceModel(self._model)
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.grouping = QComboBox(self)
        self.grouping.currentIndexChanged.connect(lambda _i: self.rebuild())
        self.tree = QTreeView(self)
        self.tree.setModel(self._proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.activated.connect(self._on_activated)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.filter)
        lay.addWidget(self.grouping)
        lay.addWidget(self.tree)
        self._seen_sources: tuple = ()
        self.retranslate()
        # The catalogue changes rarely; a cheap poll keeps the browser free of bus plumbing.
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._refresh_if_changed)
        self._timer.start()
        self.rebuild()

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(self.tr("Find a camera, indicator, unit… (Ctrl+F)"))
        current = self.grouping.currentIndex()
        self.grouping.blockSignals(True)
        self.grouping.clear()
        self.grouping.addItem(self.tr("By connector"))
        self.grouping.addItem(self.tr("By unit"))
        self.grouping.setCurrentIndex(max(0, current))
        self.grouping.blockSignals(False)
        self.rebuild()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _refresh_if_changed(self) -> None:
        key = tuple(self.store.sources)
        if key != self._seen_sources:
            self.rebuild()

    def _on_filter(self, text: str) -> None:
        self._proxy.set_needle(text)
        if text:
            self.tree.expandAll()

    def _on_activated(self, index: QModelIndex) -> None:
        sid = index.data(SOURCE_ROLE)
        if sid:
            self.sig_source_activated.emit(sid)

    def current_source(self) -> str | None:
        return self.tree.currentIndex().data(SOURCE_ROLE)

    def _unit_path(self, code: str) -> list[str]:
        path: list[str] = []
        while code and code in self.units:
            path.insert(0, code)
            code = self.units[code].parent
        return path

    def _item(self, src: Source) -> QStandardItem:
        item = QStandardItem(src.name)
        item.setData(src.id, SOURCE_ROLE)
        unit = self.units.get(src.unit)
        search = " ".join([src.name, src.id, src.detail, unit.name if unit else "", *src.tags])
        item.setData(fold(search), SEARCH_ROLE)
        tip = src.id + (f"\n{src.detail}" if src.detail else "") + (f"\n{unit.name}" if unit else "")
        item.setToolTip(tip)
        item.setEditable(False)
        item.setDragEnabled(True)
        return item

    def _group(self, parent: QStandardItem, key: str, label: str, cache: dict) -> QStandardItem:
        if key not in cache:
            item = QStandardItem(label)
            item.setEditable(False)
            item.setDragEnabled(False)
            item.setData(fold(label), SEARCH_ROLE)
            parent.appendRow(item)
            cache[key] = item
        return cache[key]

    def rebuild(self) -> None:
        self._seen_sources = tuple(self.store.sources)
        self._model.clear()
        root = self._model.invisibleRootItem()
        cache: dict[str, QStandardItem] = {}
        by_unit = self.grouping.currentIndex() == self.BY_UNIT
        for src in sorted(self.store.sources.values(), key=lambda s: (s.connector, list(SourceKind).index(s.kind),
                                                                      s.name)):
            if by_unit:
                parent = root
                path = self._unit_path(src.unit) or [""]
                for depth, code in enumerate(path):
                    label = self.units[code].name if code else self.tr("No administrative unit")
                    parent = self._group(parent, "u:" + "/".join(path[: depth + 1]), label, cache)
                parent = self._group(parent, f"u:{'/'.join(path)}:{src.kind}", kind_label(src.kind), cache)
            else:
                conn = self._group(root, "c:" + src.connector, src.connector, cache)
                parent = self._group(conn, f"c:{src.connector}:{src.kind}", kind_label(src.kind), cache)
            parent.appendRow(self._item(src))
        self.tree.expandToDepth(0 if not by_unit else 1)
