"""The operator's window: live wall miniature, source browser, layouts, presets, connector health."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.alerts.desk import AlertDesk
from console.briefings import AGENDA_PREFIX, BriefingDesk
from console.commands import (
    AckAlert,
    ApplyLayout,
    AssignAlert,
    AssignSource,
    ClearTile,
    CloseAlert,
    Command,
    DeletePreset,
    KeepFullRate,
    MaskTile,
    NoteAlert,
    PauseTour,
    RecallPreset,
    ReopenAlert,
    ResolveAlert,
    ResumeTour,
    SavePreset,
    SetPresentation,
    ShowDocument,
    ShowKpi,
    SwapTiles,
    UnmaskTile,
)
from console.media.hub import MediaHub
from console.model.alerts import Alert
from console.model.geometry import WallGeometry
from console.model.kpi import RANGES, KpiRef, KpiRefError, base_source_id, is_kpi_ref
from console.model.sources import AdminUnit, Source, SourceKind
from console.model.tours import TOUR_PREFIX, TourPosition
from console.store import CommandResult, Store
from layouts.grid import BUILTIN_LAYOUTS
from widgets.alert_queue import AlertQueueView
from widgets.briefing_panel import BriefingPanel
from widgets.document_list import DocumentListPanel
from widgets.health_view import HealthView
from widgets.kpi_export import export_csv, export_png
from widgets.silence_list import SilenceList
from widgets.source_browser import SourceBrowser
from widgets.wall_view import WallView, tile_rects

Execute = Callable[[Command], CommandResult]


class PopupOnly(QObject):
    """Keeps a closed chooser from changing on arrow keys and wheel steps: with the layout chooser,
    each step would put a layout on the wall. Arrows open the list instead; wheel steps are ignored."""

    KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home,
            Qt.Key.Key_End}

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if isinstance(obj, QComboBox):
            if event.type() == QEvent.Type.Wheel:
                return True
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in self.KEYS:
                obj.showPopup()
                return True
        return super().eventFilter(obj, event)


class OperatorWindow(QMainWindow):
    """Thread: GUI thread. Every change goes out through ``execute`` (the store's command path)."""

    sig_closed = Signal()
    sig_snapshot = Signal(int)  # tile number (1-based)
    sig_overlay = Signal()
    sig_export_pack = Signal(str)  # briefing name
    sig_presenter = Signal()  # open the presenter view

    def __init__(self, site_name: str, store: Store, media: MediaHub,
                 tour_position: Callable[[int], TourPosition | None], geometry: WallGeometry,
                 units: tuple[AdminUnit, ...], execute: Execute, toggle_language: Callable[[], str],
                 alerts_for: Callable[[Source], list[Alert]] | None = None, desk: AlertDesk | None = None,
                 banner: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.site_name = site_name
        self.store = store
        self.execute = execute
        self.toggle_language = toggle_language
        self.setObjectName("operatorWindow")

        self.miniature = WallView(store, media, geometry, None, interactive=True, tour_position=tour_position,
                                  alerts_for=alerts_for, banner=banner)
        self.miniature.setMinimumSize(480, 200)
        self.miniature.sig_source_dropped.connect(lambda tile, sid: self.run(AssignSource(tile=tile, source=sid)))
        self.miniature.sig_tile_clicked.connect(self._on_tile_selected)
        self.miniature.sig_context_menu.connect(self._tile_menu)
        self.miniature.sig_command.connect(self.run)
        self.export_dir = Path.home() / "Documents" / "ioc-console"
        self.wall_notice = QLabel()
        self.wall_notice.setObjectName("wallNotice")
        self.wall_notice.setWordWrap(True)
        self.wall_notice.hide()
        self.mini_title = QLabel()
        self.mini_title.setObjectName("paneTitle")
        center = QWidget()
        lay = QVBoxLayout(center)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.mini_title)
        lay.addWidget(self.wall_notice)
        lay.addWidget(self.miniature, 1)
        self.setCentralWidget(center)

        self.browser = SourceBrowser(store, units)
        self.browser.sig_source_activated.connect(self._assign_to_selected)
        self.browser_dock = self._dock("sourcesDock", self.browser, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.desk = desk
        self.queue: AlertQueueView | None = None
        self.silences: SilenceList | None = None
        if desk is not None:
            self.queue = AlertQueueView(desk, units)
            self.queue.sig_action.connect(self.alert_action)
            self.silences = SilenceList(desk, self.run)
            self.silences.setMaximumWidth(340)
            self.silences.list.setMaximumHeight(16777215)
            alerts_pane = QWidget()
            alerts_lay = QHBoxLayout(alerts_pane)
            alerts_lay.setContentsMargins(0, 0, 0, 0)
            alerts_lay.addWidget(self.queue, 1)
            alerts_lay.addWidget(self.silences)
            self.alerts_dock = self._dock("alertsDock", alerts_pane, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.health = HealthView(store)
        self.health_dock = self._dock("healthDock", self.health, Qt.DockWidgetArea.BottomDockWidgetArea)
        if desk is not None:
            # The queue is what the operator watches; connector health sits in the tab beside it.
            self.tabifyDockWidget(self.alerts_dock, self.health_dock)
            self.alerts_dock.raise_()

        self.resizeDocks([self.health_dock], [330 if desk is not None else 150], Qt.Orientation.Vertical)
        self.resizeDocks([self.browser_dock], [300], Qt.Orientation.Horizontal)
        self._build_toolbar()
        self._build_shortcuts()
        self.statusBar()
        self._seen_version = -1
        self._seen_presets: tuple[str, ...] = ()
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._sync)
        self._timer.start()
        self.retranslate()
        self._sync()
        self.miniature.select(0)

    # -- building ------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        tb = QToolBar(self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        self.addToolBar(tb)
        self.layout_label = QLabel()
        self.layout_box = QComboBox()
        self.layout_box.setMinimumContentsLength(10)
        self.layout_box.activated.connect(self._on_layout_chosen)
        self._popup_only = PopupOnly(self)
        self.layout_box.installEventFilter(self._popup_only)
        self.preset_label = QLabel()
        self.preset_box = QComboBox()
        self.preset_box.setMinimumContentsLength(16)
        self.preset_box.installEventFilter(self._popup_only)
        self.recall_button = QToolButton()
        self.recall_button.clicked.connect(self._recall_current)
        self.save_button = QToolButton()
        self.save_button.clicked.connect(self.save_preset_dialog)
        self.delete_button = QToolButton()
        self.delete_button.clicked.connect(self._delete_current)
        self.clear_button = QToolButton()
        self.clear_button.clicked.connect(self.clear_selected)
        self.snapshot_button = QToolButton()
        self.snapshot_button.clicked.connect(self.snapshot_selected)
        self.overlay_button = QToolButton()
        self.overlay_button.setCheckable(True)
        self.overlay_button.clicked.connect(lambda _checked: self.sig_overlay.emit())
        self.presentation_button = QToolButton()
        self.presentation_button.setObjectName("presentationButton")
        self.presentation_button.setCheckable(True)
        self.presentation_button.clicked.connect(lambda _checked: self.toggle_presentation())
        self.presenter_button = QToolButton()
        self.presenter_button.clicked.connect(lambda _checked: self.sig_presenter.emit())
        self.lang_button = QToolButton()
        self.lang_button.clicked.connect(self.toggle_language)
        for w in (self.layout_label, self.layout_box, self.preset_label, self.preset_box, self.recall_button,
                  self.save_button, self.delete_button):
            tb.addWidget(w)
        tb.addSeparator()
        tb.addWidget(self.clear_button)
        tb.addWidget(self.snapshot_button)
        tb.addWidget(self.overlay_button)
        tb.addSeparator()
        tb.addWidget(self.presentation_button)
        tb.addWidget(self.presenter_button)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        tb.addWidget(spacer)
        tb.addWidget(self.lang_button)

    def _dock(self, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """A movable pane (not closable: an operator must not lose the queue by a stray click)."""
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(area, dock)
        return dock

    def _shortcut(self, keys: str | QKeySequence, slot: Callable[[], object],
                  context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QShortcut:
        sc = QShortcut(QKeySequence(keys), self)
        sc.setContext(context)
        sc.activated.connect(slot)
        return sc

    def _build_shortcuts(self) -> None:
        # Built-in layouts on Ctrl+1..7, in the order of the layout chooser.
        for n, name in enumerate(BUILTIN_LAYOUTS, start=1):
            self._shortcut(f"Ctrl+{n}", partial(self.run, ApplyLayout(layout=name)))
        # Presets on Alt+1..9, in the order of the preset chooser.
        for n in range(1, 10):
            self._shortcut(f"Alt+{n}", partial(self._recall_nth, n))
        self._shortcut("Ctrl+S", self.save_preset_dialog)
        self._shortcut("Ctrl+F", self._focus_filter)
        self._shortcut("Ctrl+L", self._open_layouts)
        self._shortcut("Ctrl+P", self._open_presets)
        self._shortcut("Ctrl+Shift+L", self.toggle_language)
        self._shortcut("Ctrl+M", self.miniature.setFocus)
        self._shortcut("F6", self.focus_queue)
        self._shortcut("Ctrl+Shift+S", self.snapshot_selected)
        self._shortcut("Ctrl+I", self.overlay_button.click)
        self._shortcut("F9", self.toggle_presentation)
        mini = Qt.ShortcutContext.WidgetShortcut
        for key in ("Delete", "Backspace"):
            sc = QShortcut(QKeySequence(key), self.miniature)
            sc.setContext(mini)
            sc.activated.connect(self.clear_selected)
        for key, step in (("Right", 1), ("Left", -1), ("Down", 1), ("Up", -1)):
            sc = QShortcut(QKeySequence(key), self.miniature)
            sc.setContext(mini)
            sc.activated.connect(partial(self._move_selection, step))
        for key, step in (("PgDown", 1), ("PgUp", -1)):
            sc = QShortcut(QKeySequence(key), self.miniature)
            sc.setContext(mini)
            sc.activated.connect(partial(self.page_selected, step))
        sc = QShortcut(QKeySequence("Space"), self.miniature)
        sc.setContext(mini)
        sc.activated.connect(self.toggle_tour_pause)
        for key, step in (("Shift+Right", 1), ("Shift+Left", -1)):
            sc = QShortcut(QKeySequence(key), self.miniature)
            sc.setContext(mini)
            sc.activated.connect(partial(self._swap_selection, step))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("IOC console – %1").replace("%1", self.site_name))
        self.mini_title.setText(self.tr("Wall (live) – drop a source on a tile; Del clears, arrows move"))
        self.browser_dock.setWindowTitle(self.tr("Sources"))
        self.health_dock.setWindowTitle(self.tr("Connectors"))
        if self.desk is not None:
            self.alerts_dock.setWindowTitle(self.tr("Alerts (F6)"))
        self.layout_label.setText(self.tr("Layout"))
        self.preset_label.setText(self.tr("Preset"))
        self.recall_button.setText(self.tr("Recall"))
        self.recall_button.setToolTip(self.tr("Show the chosen preset on the wall (Alt+1…9)"))
        self.save_button.setText(self.tr("Save…"))
        self.save_button.setToolTip(self.tr("Save the wall as a preset (Ctrl+S)"))
        self.delete_button.setText(self.tr("Delete"))
        self.clear_button.setText(self.tr("Clear tile"))
        self.clear_button.setToolTip(self.tr("Empty the selected tile (Del)"))
        self.snapshot_button.setText(self.tr("Snapshot"))
        self.snapshot_button.setToolTip(self.tr("Save the selected camera tile's picture as PNG (Ctrl+Shift+S)"))
        self.overlay_button.setText(self.tr("Details"))
        self.overlay_button.setToolTip(self.tr("Show camera details on the tiles: fps, codec, delay (Ctrl+I)"))
        self.presentation_button.setText(self.tr("Presentation"))
        self.presentation_button.setToolTip(self.tr(
            "Presentation mode for a meeting: clean wall, title and clock, no alarms on the wall, sensitive "
            "cameras masked; again to return to live operations as before (F9)"))
        self.presenter_button.setText(self.tr("Presenter view"))
        self.presenter_button.setToolTip(self.tr("Current and next scene, notes and timers of the running briefing"))
        if getattr(self, "briefing_dock", None) is not None:
            self.briefing_dock.setWindowTitle(self.tr("Briefings"))
            self.papers_dock.setWindowTitle(self.tr("Papers"))
        self.lang_button.setText("English" if self._language_is_vi() else "Tiếng Việt")
        self.lang_button.setToolTip(self.tr("Switch language (Ctrl+Shift+L)"))
        self.layout_box.setToolTip(self.tr("Layouts: Ctrl+1…7, or Ctrl+L to choose"))
        self._fill_layouts()

    def _language_is_vi(self) -> bool:
        return self.tr("Layout") != "Layout"

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self._timer.stop()
        self.sig_closed.emit()
        super().closeEvent(event)

    # -- state -> controls ---------------------------------------------------------------
    def _fill_layouts(self) -> None:
        self.layout_box.blockSignals(True)
        self.layout_box.clear()
        for name, layout in self.store.layouts.items():
            label = layout.title if layout.title and layout.title != name else name
            if name == "hero":
                label = self.tr("2x2 hero")
            self.layout_box.addItem(label, name)
        self.layout_box.setCurrentIndex(self.layout_box.findData(self.store.state.layout.name))
        self.layout_box.blockSignals(False)

    def _sync(self) -> None:
        if self.store.state.version != self._seen_version:
            self._seen_version = self.store.state.version
            self.presentation_button.setChecked(self.store.state.presenting)
            self.layout_box.setCurrentIndex(self.layout_box.findData(self.store.state.layout.name))
            if self.miniature.selected is not None and self.miniature.selected >= self.store.state.layout.tile_count:
                self.miniature.select(0)
            if self.store.active_preset:
                self.preset_box.setCurrentText(self.store.active_preset)
        names = tuple(sorted(self.store.presets))
        if names != self._seen_presets:
            self._seen_presets = names
            current = self.store.active_preset or self.preset_box.currentText()
            self.preset_box.clear()
            self.preset_box.addItems(list(names))
            if current in names:
                self.preset_box.setCurrentText(current)

    def show_control_error(self, error: str) -> None:
        self.statusBar().showMessage(self.tr("Control API not available: %1").replace("%1", error))

    def set_wall_notice(self, text: str, problem: bool) -> None:
        self.wall_notice.setText(text)
        self.wall_notice.setVisible(problem)
        self.statusBar().showMessage(text, 10000)

    # -- intents -------------------------------------------------------------------------
    def run(self, command: Command) -> CommandResult:
        result = self.execute(command)
        if not result.ok:
            self.statusBar().showMessage(self.tr("Refused: %1").replace("%1", result.error), 10000)
        return result

    def _on_tile_selected(self, tile: int) -> None:
        sid = self.store.state.tiles[tile - 1] if tile - 1 < len(self.store.state.tiles) else None
        src = self.store.sources.get(base_source_id(sid)) if sid else None
        text = self.tr("Tile %1: %2").replace("%1", str(tile)).replace("%2", src.name if src else self.tr("empty"))
        self.statusBar().showMessage(text, 5000)

    # -- briefings and presentation ------------------------------------------------------------
    def add_briefings(self, desk: BriefingDesk) -> None:
        """The briefings dock: edit scenes, start a briefing, agenda to a tile, briefing pack."""
        self.briefing_panel = BriefingPanel(desk, self.run)
        self.briefing_panel.sig_export_pack.connect(self.sig_export_pack)
        self.briefing_panel.sig_show_agenda.connect(
            lambda name: self._assign_to_selected(AGENDA_PREFIX + name))
        self.briefing_dock = self._dock("briefingsDock", self.briefing_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        # Registers of papers beside the briefings: open a paper on the selected tile, or the list itself.
        self.papers = DocumentListPanel(self.store)
        self.papers.sig_open_document.connect(self._assign_to_selected)
        self.papers.sig_show_on_wall.connect(self._assign_to_selected)
        self.papers_dock = self._dock("papersDock", self.papers, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.briefing_dock, self.papers_dock)
        self.briefing_dock.raise_()
        self.resizeDocks([self.briefing_dock], [340], Qt.Orientation.Horizontal)
        self.retranslate()

    def toggle_presentation(self) -> CommandResult:
        """One key (F9) into a meeting's look, and the same key back to live operations as before."""
        result = self.run(SetPresentation(on=not self.store.state.presenting))
        self.presentation_button.setChecked(self.store.state.presenting)
        return result

    def ask_pack_path(self, name: str) -> Path | None:
        stamp = time.strftime("%Y%m%d-%H%M")
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Briefing pack"),
                                                str(self.export_dir / f"{name}_{stamp}.pdf"), "PDF (*.pdf)")
        return Path(chosen) if chosen else None

    # -- tile menus: KPI view, time range, drill, export; camera masks; document pages ---------
    def _tile_menu(self, tile: int, pos: QPoint) -> None:
        menu = self.tile_menu(tile)
        if menu is not None:
            menu.exec(pos)

    def tile_menu(self, tile: int) -> QMenu | None:
        """The right-click menu of a tile in the miniature (None when the tile has nothing to offer)."""
        ref_text = self.store.state.tiles[tile - 1] if 0 < tile <= len(self.store.state.tiles) else None
        source = self.store.sources.get(base_source_id(ref_text)) if ref_text else None
        if (source is not None and source.kind == SourceKind.CAMERA) or (ref_text or "").startswith(TOUR_PREFIX):
            return self.camera_menu(tile, source)
        if source is not None and source.kind == SourceKind.DOCUMENT and source.file:
            return self.document_menu(tile)
        units = self.store.kpi_units
        if not is_kpi_ref(ref_text) or units is None:
            return None
        try:
            ref = KpiRef.parse(ref_text or "")
        except KpiRefError:
            return None
        unit = ref.unit or units.default_scope()
        menu = QMenu(self)
        views = menu.addMenu(self.tr("Show as"))
        for view, label in (("card", self.tr("Card")), ("chart", self.tr("Live chart")),
                            ("bars", self.tr("Ranking of units")), ("table", self.tr("Table"))):
            act = views.addAction(label)
            act.setCheckable(True)
            act.setChecked(view == ref.view)
            act.triggered.connect(lambda _c=False, v=view: self.run(ShowKpi(tile=tile, view=v)))
        ranges = menu.addMenu(self.tr("Time range"))
        for key in RANGES:
            act = ranges.addAction(key)
            act.setCheckable(True)
            act.setChecked(key == ref.range)
            act.triggered.connect(lambda _c=False, k=key: self.run(ShowKpi(tile=tile, range=k)))
        children = units.children(unit)
        if children:
            down = menu.addMenu(self.tr("Drill down to"))
            for code in children:
                down.addAction(units.name(code)).triggered.connect(
                    lambda _c=False, c=code: self.run(ShowKpi(tile=tile, unit=c)))
        parent = units.units[unit].parent if unit in units.units else ""
        if parent:
            menu.addAction(self.tr("Up to %1").replace("%1", units.name(parent))).triggered.connect(
                lambda _c=False: self.run(ShowKpi(tile=tile, unit=parent)))
        menu.addSeparator()
        menu.addAction(self.tr("Export picture (PNG)…")).triggered.connect(lambda: self.export_kpi(tile, "png"))
        menu.addAction(self.tr("Export data (CSV)…")).triggered.connect(lambda: self.export_kpi(tile, "csv"))
        return menu

    def page_selected(self, step: int) -> CommandResult | None:
        """PgDown/PgUp on a selected document tile turns its page, on the wall and here alike."""
        tile = (self.miniature.selected or 0) + 1
        ref_text = self.store.state.tiles[tile - 1] if tile <= len(self.store.state.tiles) else None
        src = self.store.sources.get(base_source_id(ref_text)) if ref_text else None
        if src is None or src.kind != SourceKind.DOCUMENT:
            return None
        return self.run(ShowDocument(tile=tile, step=step))

    def camera_menu(self, tile: int, source: Source | None) -> QMenu:
        """A camera or tour tile: keep it at full frame rate when the machine is busy, a snapshot, and in a
        meeting the sensitive camera's mask."""
        menu = QMenu(self)
        state = self.store.state
        if source is not None and "sensitive" in source.tags and state.presenting:
            if tile - 1 in state.unmasked:
                menu.addAction(self.tr("Mask this camera again")).triggered.connect(
                    lambda _c=False: self.run(MaskTile(tile=tile)))
            else:
                menu.addAction(self.tr("Lift the mask on this tile (logged)")).triggered.connect(
                    lambda _c=False: self.run(UnmaskTile(tile=tile)))
            menu.addSeparator()
        keep = menu.addAction(self.tr("Keep at full frame rate when the machine is busy"))
        keep.setCheckable(True)
        keep.setChecked(tile - 1 in state.full_rate)
        keep.setToolTip(self.tr("When the computer cannot decode every camera at full rate, the console shows "
                                "small tiles at one picture every two seconds; this tile keeps every frame."))
        keep.triggered.connect(lambda on: self.run(KeepFullRate(tile=tile, on=bool(on))))
        menu.addAction(self.tr("Snapshot (PNG)")).triggered.connect(lambda _c=False: self.snapshot_selected())
        return menu

    def document_menu(self, tile: int) -> QMenu:
        menu = QMenu(self)
        for label, cmd in ((self.tr("Next page (PgDn)"), ShowDocument(tile=tile, step=1)),
                           (self.tr("Previous page (PgUp)"), ShowDocument(tile=tile, step=-1)),
                           (self.tr("First page (Home)"), ShowDocument(tile=tile, page=1)),
                           (self.tr("Fit page"), ShowDocument(tile=tile, fit="page", zoom=1.0)),
                           (self.tr("Fit width"), ShowDocument(tile=tile, fit="width", zoom=1.0, cy=0.0))):
            menu.addAction(label).triggered.connect(lambda _c=False, c=cmd: self.run(c))
        pointer = menu.addAction(self.tr("Pointer (hold Shift and move the mouse)"))
        pointer.setEnabled(False)
        menu.addAction(self.tr("Hide the pointer")).triggered.connect(lambda _c=False: self.store.set_pointer(None))
        return menu

    def export_kpi(self, tile: int, kind: str, path: Path | None = None) -> Path | None:
        """Save a KPI tile's picture (as large as it is on the wall) or its numbers; asks where unless told."""
        ref_text = self.store.state.tiles[tile - 1]
        book, units = self.store.kpi_book, self.store.kpi_units
        if not is_kpi_ref(ref_text) or book is None or units is None:
            return None
        ref = KpiRef.parse(ref_text or "")
        if path is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            name = f"{ref.indicator}_{ref.unit or units.default_scope()}_{ref.view}_{stamp}.{kind}"
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), str(self.export_dir / name),
                                                    "PNG (*.png)" if kind == "png" else "CSV (*.csv)")
            if not chosen:
                return None
            path = Path(chosen)
        try:
            if kind == "png":
                rect = tile_rects(self.store, self.miniature.geometry_)[tile - 1]
                export_png(self.miniature.context(), tile - 1, ref_text or "", int(rect.width()),
                           int(rect.height()), path)
            else:
                export_csv(book, units, ref, path, self.miniature.kpi_at)
        except OSError as exc:
            self.statusBar().showMessage(self.tr("Export failed: %1").replace("%1", str(exc)), 10000)
            return None
        self.store.record_action("export_kpi", {"tile": tile, "kpi": ref_text, "file": path.name}, "operator",
                                 "operator-ui")
        self.statusBar().showMessage(self.tr("Saved %1").replace("%1", str(path)), 10000)
        return path

    def _on_layout_chosen(self, index: int) -> None:
        self.run(ApplyLayout(layout=self.layout_box.itemData(index)))

    def _assign_to_selected(self, source_id: str) -> None:
        tile = (self.miniature.selected or 0) + 1
        self.run(AssignSource(tile=tile, source=source_id))

    def clear_selected(self) -> None:
        if self.miniature.selected is not None:
            self.run(ClearTile(tile=self.miniature.selected + 1))

    def _move_selection(self, step: int) -> None:
        count = self.store.state.layout.tile_count
        current = self.miniature.selected if self.miniature.selected is not None else -step
        self.miniature.select((current + step) % count)

    def _swap_selection(self, step: int) -> None:
        if self.miniature.selected is None:
            return
        count = self.store.state.layout.tile_count
        a = self.miniature.selected
        b = (a + step) % count
        if self.run(SwapTiles(a=a + 1, b=b + 1)).ok:
            self.miniature.select(b)

    # -- alerts ----------------------------------------------------------------------------
    def focus_queue(self) -> None:
        if self.queue is not None:
            self.queue.table.setFocus()
            if not self.queue.table.currentIndex().isValid() and self.queue.model.rowCount():
                self.queue.table.selectRow(0)

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.setOkButtonText(self.tr("OK"))
        dialog.setCancelButtonText(self.tr("Cancel"))
        return dialog.textValue() if dialog.exec() else None

    def alert_action(self, action: str, alert_id: int) -> CommandResult | None:
        """One keystroke per step; assigning and notes ask for their text."""
        note = ""
        if action == "assign":
            assignee = self._ask(self.tr("Assign alert"), self.tr("Assign to (agency or person):"))
            if not assignee:
                return None
            return self.run(AssignAlert(alert=alert_id, assignee=assignee))
        if action in ("note", "resolve"):
            label = self.tr("Note:") if action == "note" else self.tr("How was it resolved? (optional)")
            answer = self._ask(self.tr("Alert %1").replace("%1", str(alert_id)), label)
            if answer is None or (action == "note" and not answer.strip()):
                return None
            note = answer
        kinds = {"acknowledge": AckAlert, "resolve": ResolveAlert, "close": CloseAlert, "reopen": ReopenAlert,
                 "note": NoteAlert}
        return self.run(kinds[action](alert=alert_id, note=note))

    def snapshot_selected(self) -> None:
        if self.miniature.selected is not None:
            self.sig_snapshot.emit(self.miniature.selected + 1)

    def show_snapshot_result(self, tile: int, path: str) -> None:
        if path:
            text = self.tr("Snapshot of tile %1 saved: %2").replace("%1", str(tile)).replace("%2", path)
        else:
            text = self.tr("Tile %1 has no camera picture to save").replace("%1", str(tile))
        self.statusBar().showMessage(text, 10000)

    def toggle_tour_pause(self) -> None:
        index = self.miniature.selected
        if index is None:
            return
        position = self.miniature.tour_position(index)
        if position is not None:
            command = ResumeTour(tile=index + 1) if position.paused else PauseTour(tile=index + 1)
            self.run(command)

    def _recall_current(self) -> None:
        if self.preset_box.currentText():
            self.run(RecallPreset(preset=self.preset_box.currentText()))

    def _recall_nth(self, n: int) -> None:
        names = sorted(self.store.presets)
        if n <= len(names):
            self.preset_box.setCurrentText(names[n - 1])
            self.run(RecallPreset(preset=names[n - 1]))

    def _delete_current(self) -> None:
        if self.preset_box.currentText():
            self.run(DeletePreset(preset=self.preset_box.currentText()))

    def save_preset_dialog(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Save preset"))
        dialog.setLabelText(self.tr("Name of the preset (the wall as it is now):"))
        dialog.setOkButtonText(self.tr("Save"))
        dialog.setCancelButtonText(self.tr("Cancel"))
        dialog.setTextValue(self.preset_box.currentText())
        if dialog.exec() and dialog.textValue().strip():
            name = dialog.textValue().strip()
            if self.run(SavePreset(preset=name)).ok:
                self._sync()
                self.preset_box.setCurrentText(name)

    def _focus_filter(self) -> None:
        self.browser.filter.setFocus()
        self.browser.filter.selectAll()

    def _open_layouts(self) -> None:
        self.layout_box.setFocus()
        self.layout_box.showPopup()

    def _open_presets(self) -> None:
        self.preset_box.setFocus()
        self.preset_box.showPopup()
