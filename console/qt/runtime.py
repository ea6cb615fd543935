"""Console: builds and owns everything a running console has, in start order, and stops it all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFile, QIODevice, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from connectors.registry import Registry
from console.alerts.desk import AlertDesk
from console.alerts.service import AlertService
from console.briefings import BriefingDesk
from console.bus import Bus
from console.commands import Command, RecallPreset, ShowKpi
from console.kpi.service import KpiService
from console.media.hub import MediaHub
from console.messages import AlertsChanged, SourcesChanged
from console.model.alerts import Alert
from console.model.briefings import format_duration
from console.model.kpi import Indicator, KpiRef, KpiRefError, Status, UnitTree
from console.model.sources import Source, SourceKind
from console.paths import cache_dir
from console.persistence import Database
from console.qt.attention import AlertSound
from console.qt.i18n import Languages
from console.qt.operator_window import OperatorWindow
from console.qt.wall import WallManager
from console.site import Site
from console.store import CommandResult, Store
from console.supervisor import Supervisor
from console.tours import Tours
from widgets.briefing_pack import export_pack
from widgets.document_render import DOCUMENTS
from widgets.presenter_view import PresenterView
from widgets.scene_render import render_scene
from widgets.tile_painter import set_text_scale
from widgets.wall_view import render_canvas

log = logging.getLogger(__name__)

THEME = Path(__file__).resolve().parents[2] / "resources" / "theme" / "dark.qss"


def apply_theme(app: QApplication) -> None:
    f = QFile(str(THEME))
    if f.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Text):
        app.setStyleSheet(bytes(f.readAll().data()).decode("utf-8"))
        f.close()


def alert_feeds() -> list[tuple[str, str]]:
    """The alert feeds a wall tile can show: all open alerts, and one per domain."""
    return [
        ("", QCoreApplication.translate("Console", "All alerts")),
        ("traffic", QCoreApplication.translate("Console", "Traffic alerts")),
        ("security", QCoreApplication.translate("Console", "Public order and security")),
        ("environment", QCoreApplication.translate("Console", "Environment alerts")),
        ("citizen_report", QCoreApplication.translate("Console", "Citizen field reports")),
        ("information_security", QCoreApplication.translate("Console", "Information security")),
    ]


def kpi_alert_title(ind: Indicator, unit_name: str, status: Status, value: float) -> str:
    """The title of an alert raised by a KPI crossing a threshold, in the operator's language."""
    text = QCoreApplication.translate("Console", "%1 over the critical threshold: %2 %3") \
        if status == Status.CRITICAL else \
        QCoreApplication.translate("Console", "%1 over the warning threshold: %2 %3")
    if ind.higher_is_better:
        text = QCoreApplication.translate("Console", "%1 under the critical threshold: %2 %3") \
            if status == Status.CRITICAL else \
            QCoreApplication.translate("Console", "%1 under the warning threshold: %2 %3")
    number = f"{value:,.{ind.decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.replace("%1", ind.name).replace("%2", number).replace("%3", ind.unit_label).strip()


class Console:
    """Thread: GUI thread, with qasync's loop running. ``start`` then ``stop``, once each."""

    def __init__(self, site: Site, registry: Registry, db_path: str | Path, actor: str, *,
                 force_window: bool = False, control: bool = True, control_port: int | None = None,
                 language: str | None = None, retry_base_s: float = 1.0, snapshot_dir: str | Path | None = None) -> None:
        self.site = site
        self.actor = actor
        self._banner_key: tuple[int, bool] = (-1, False)
        self._banner = ""
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir else Path.home() / "Pictures" / "ioc-console"
        self.loop = asyncio.get_event_loop()
        self.languages = Languages()
        self.languages.set(language or site.spec.language)
        self.bus = Bus(post=self._post)
        self.db = Database(db_path)
        self.media = MediaHub()
        self.store = Store(self.bus, self.db, site.layouts, site.wall.default_layout, site.presets)
        self.alert_service = AlertService(
            db_path, lambda alerts, silences: self.bus.publish(AlertsChanged(alerts, silences)))
        alarm = site.spec.alerts
        self.desk = AlertDesk(self.bus, self.store, self.alert_service, alarm.alarm_tile or None, alarm.alarm_hold_s)
        self.bus.publish(SourcesChanged("alerts", tuple(
            Source(f"alerts/{domain or 'all'}", SourceKind.ALERTS, name, "alerts", detail=domain)
            for domain, name in alert_feeds())))
        self.kpi = KpiService(self.bus, self.store, site.indicators, UnitTree(site.units, dict(site.formerly)),
                              self.alert_service, title=kpi_alert_title)
        self.kpi.publish_sources()
        set_text_scale(site.wall.text_scale)
        self.supervisor = Supervisor(
            self.bus, registry,
            [(c.name, c.type, c.enabled) for c in site.spec.connectors],
            site.connector_configs, site.units, retry_base_s=retry_base_s, alerts=self.alert_service,
            indicators=site.indicators, formerly=site.formerly, site_dir=site.path.resolve().parent,
        )
        self.tours = Tours(self.bus, self.media, site.tours, self.store.sources)
        self.bus.publish(SourcesChanged("tours", tuple(
            Source(t.source_id, SourceKind.TOUR, t.name, "tours", detail=f"{len(t.steps)} cameras") for t in site.tours)))
        self.briefings = BriefingDesk(self.bus, self.store, self.db, site.path.resolve().parent / "briefings",
                                      self.desk)
        self.briefings.on_scene_shown = self._schedule_capture
        self.briefings.on_run_changed = self._on_run_changed
        self.captures_dir = Path(db_path).resolve().parent / "briefing-runs"
        self.captures: dict[tuple[int, int], QImage] = {}  # (run, scene index) -> the wall as shown
        self.presenter: PresenterView | None = None
        self._stopped = False
        self._stopping = False
        self.wall = WallManager(site, self.store, self.media, self.tours.position, force_window=force_window,
                                alerts_for=self.alerts_for, banner=self.wall_banner, timer=self.briefing_timer)
        self.wall.key_handler = self.clicker_key
        self.operator = OperatorWindow(site.name, self.store, self.media, self.tours.position, self.wall.geometry,
                                       site.units, self.execute_operator, self.toggle_language, self.alerts_for,
                                       self.desk, self.wall_banner)
        alerts = site.spec.alerts
        self.sound = AlertSound(self.desk, cache_dir() / "alert-tone.wav", alerts.sound, alerts.volume,
                                alerts.quiet_hours, alerts.quiet_volume)
        self.operator.miniature.timer = self.briefing_timer
        self.operator.add_briefings(self.briefings)
        self.operator.sig_export_pack.connect(self._export_pack_dialog)
        self.operator.sig_presenter.connect(self.show_presenter)
        self.operator.sig_snapshot.connect(self._on_snapshot)
        self.operator.miniature.sig_kpi_unit.connect(self.drill_kpi)
        self.operator.sig_overlay.connect(self.toggle_overlay)
        self.wall.sig_notice.connect(
            lambda text: self.operator.set_wall_notice(text, self.wall.plan is not None
                                                       and not self.wall.plan.complete))
        self.control = None
        if control and site.spec.control.enabled:
            from console.control import ControlServer  # only when the API is on

            port = site.spec.control.port if control_port is None else control_port
            self.control = ControlServer(self.store, site.control_token(), site.spec.control.host, port)

    def _post(self, fn: Callable[[], None]) -> None:
        self.loop.call_soon_threadsafe(fn)

    def wall_banner(self) -> str:
        """What the wall says about critical alerts waiting: a line, never a pop-up. Every view asks
        50 times a second, so it is worked out once per change of the alerts."""
        key = (self.desk.version, self.desk.wall_suppressed)
        if key != self._banner_key:
            self._banner_key = key
            self._banner = self._make_banner()
        return self._banner

    def _make_banner(self) -> str:
        waiting = sorted(self.desk.unacknowledged_critical(), key=lambda a: -a.received_time)
        if not waiting or self.desk.wall_suppressed:
            return ""
        newest = waiting[0]
        unit = next((u.name for u in self.site.units if u.code == newest.unit), newest.unit)
        text = QCoreApplication.translate("Console", "Critical alert: %1 – %2").replace(
            "%1", newest.title).replace("%2", unit)
        if len(waiting) > 1:
            text += "  " + QCoreApplication.translate("Console", "(+%1 more)").replace("%1", str(len(waiting) - 1))
        return text

    def alerts_for(self, source: Source) -> list[Alert]:
        return self.desk.feed(source.detail)

    async def _tick_alerts(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.desk.tick()

    def execute(self, command: Command, actor: str, origin: str) -> CommandResult:
        return self.store.execute(command, actor, origin)

    def execute_operator(self, command: Command) -> CommandResult:
        return self.store.execute(command, self.actor, "operator-ui")

    def drill_kpi(self, tile: int, unit: str) -> CommandResult | None:
        """A unit clicked on a KPI tile: show its sub-units, or its own chart when it has none."""
        ref_text = self.store.state.tiles[tile - 1] if 0 < tile <= len(self.store.state.tiles) else None
        try:
            ref = KpiRef.parse(ref_text or "")
        except KpiRefError:
            return None
        units = self.kpi.units
        if not units.children(unit) and ref.view in ("bars", "table"):
            return self.execute_operator(ShowKpi(tile=tile, unit=unit, view="chart"))
        return self.execute_operator(ShowKpi(tile=tile, unit=unit))

    # -- briefings -----------------------------------------------------------------------------
    def briefing_timer(self) -> str:
        """The title strip's times while a briefing runs: scene n/N, its time and its plan."""
        current = self.briefings.current()
        if current is None:
            return ""
        briefing, run = current
        now = self.briefings.clock()
        scene = briefing.scenes[run.index] if run.index < len(briefing.scenes) else None
        text = QCoreApplication.translate("Console", "Scene %1/%2").replace("%1", str(run.index + 1)).replace(
            "%2", str(len(briefing.scenes))) + "  " + format_duration(run.scene_elapsed(now))
        if scene is not None and scene.duration_s:
            text += " / " + format_duration(scene.duration_s)
        if run.paused_at is not None:
            text += "  " + QCoreApplication.translate("Console", "(paused)")
        return text

    def clicker_key(self, key: int, text: str) -> bool:
        """A key from a presenter's clicker, pressed while a wall window has focus."""
        if self.presenter is not None and self.briefings.run is not None:
            return self.presenter.handle_key(key, text)
        return False

    def _on_run_changed(self, running: bool) -> None:
        if running:
            QTimer.singleShot(0, self.show_presenter)
        elif self.presenter is not None:
            self.presenter.hide()

    def show_presenter(self) -> None:
        """The presenter view on the operator's screen (opened by itself when a briefing starts)."""
        if self.presenter is None:
            self.presenter = PresenterView(
                self.briefings, self.store, self.execute_operator,
                lambda scene, w, h: render_scene(self.store, self.wall.geometry, scene, w, h, self.wall.feed_of))
        self.presenter.setScreen(self.operator.screen())
        geo = self.operator.screen().availableGeometry()
        self.presenter.resize(min(1400, geo.width()), min(850, geo.height()))
        self.presenter.show()
        self.presenter.raise_()
        self.presenter.activateWindow()

    def _schedule_capture(self, run_id: int, index: int) -> None:
        # The scene's picture for the briefing pack, once its cameras and charts have had time to draw.
        QTimer.singleShot(1500, lambda: self._capture(run_id, index))

    def _capture(self, run_id: int, index: int) -> None:
        run = self.briefings.run
        if self._stopped or run is None or run.run_id != run_id or run.index != index or self.store.state.blank:
            return
        geometry = self.wall.geometry
        image = render_canvas(self.wall.context(), geometry, min(1.0, 1920 / geometry.width))
        self.captures[(run_id, index)] = image
        folder = self.captures_dir / str(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        image.save(str(folder / f"scene-{index + 1}.png"))

    def scene_images(self, name: str, run_id: int | None) -> dict[int, QImage]:
        """Each scene's picture for the pack: as shown in the run, else drawn now from the scene."""
        briefing = self.briefings.briefings[name]
        geometry = self.wall.geometry
        images: dict[int, QImage] = {}
        for index, scene in enumerate(briefing.scenes):
            shown = self.captures.get((run_id, index)) if run_id is not None else None
            if shown is None and run_id is not None:
                path = self.captures_dir / str(run_id) / f"scene-{index + 1}.png"
                shown = QImage(str(path)) if path.exists() else None
            if shown is None or shown.isNull():
                width = min(1920, int(geometry.width))
                shown = render_scene(self.store, geometry, scene, width, int(width * geometry.height / geometry.width),
                                     self.wall.feed_of)
            images[index] = shown
        return images

    def export_pack(self, name: str, path: Path) -> int:
        """The briefing pack of ``name``'s latest run (or of the briefing as planned): one page per scene."""
        rows = self.briefings.run_log(briefing=name)
        run_id = rows[0]["run"] if rows else None
        pages = export_pack(path, self.briefings.briefings[name], self.scene_images(name, run_id), rows, self.site.name)
        self.store.record_action("export_briefing_pack", {"briefing": name, "file": path.name, "pages": pages},
                                 self.actor, "operator-ui")
        return pages

    def _export_pack_dialog(self, name: str) -> None:
        path = self.operator.ask_pack_path(name)
        if path is not None:
            try:
                pages = self.export_pack(name, path)
            except (OSError, ValueError) as exc:  # unwritable file; a briefing without scenes
                self.operator.statusBar().showMessage(
                    QCoreApplication.translate("Console", "Export failed: %1").replace("%1", str(exc)), 10000)
                return
            self.operator.statusBar().showMessage(QCoreApplication.translate(
                "Console", "Briefing pack saved (%1 pages): %2").replace("%1", str(pages)).replace("%2", str(path)), 10000)

    def toggle_language(self) -> str:
        return self.languages.toggle()

    def toggle_overlay(self) -> bool:
        """Camera details (name, clock, fps, codec, delay...) on every view of the wall."""
        views = [*self.wall.windows.values(), self.operator.miniature]
        on = not self.operator.miniature.overlay
        for view in views:
            view.overlay = on
            view.update()
        return on

    def snapshot(self, tile: int) -> Path | None:
        """Save tile ``tile`` (1-based)'s current picture as a PNG named by camera and time."""
        index = tile - 1
        views = [*self.wall.windows.values(), self.operator.miniature]
        feeds = [f for v in views if (f := v.feeds.get(index)) is not None and f.frame() is not None]
        if not feeds:
            return None
        # The largest picture any view holds: the wall's big tile beats the miniature's.
        feed = max(feeds, key=lambda f: f.frame().image.shape[1])  # type: ignore[union-attr]
        frame = feed.frame()
        assert frame is not None
        img = frame.image
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(frame.time))
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", feed.source.id)
        path = self.snapshot_dir / f"{name}_{stamp}.png"
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        QImage(img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_RGB32).save(str(path))
        self.store.record_action("snapshot", {"tile": tile, "source": feed.source.id, "file": path.name},
                                 self.actor, "operator-ui")
        return path

    def _on_snapshot(self, tile: int) -> None:
        path = self.snapshot(tile)
        self.operator.show_snapshot_result(tile, str(path) if path else "")

    async def start(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app)
        self.alert_service.start()
        self._alert_ticker = asyncio.ensure_future(self._tick_alerts())
        self.supervisor.start()
        if self.site.wall.start_preset:
            self.execute(RecallPreset(preset=self.site.wall.start_preset), "system", "startup")
        self.tours.sync(self.store.state.tiles)
        self.wall.open()
        self._place_operator()
        if self.control is not None:
            try:
                await self.control.start()
            except OSError as exc:
                # A busy port must not take the wall down; the operator is told instead.
                log.error("control API could not listen on %s:%s: %s", self.site.spec.control.host,
                          self.site.spec.control.port, exc)
                self.operator.show_control_error(str(exc))
                self.control = None

    def _place_operator(self) -> None:
        screens = {s.name(): s for s in QGuiApplication.screens()}
        plan = self.wall.plan
        screen = screens.get(plan.operator_screen) if plan and plan.operator_screen else None
        screen = screen or QGuiApplication.primaryScreen()
        geo = screen.availableGeometry()
        self.operator.setScreen(screen)
        self.operator.resize(min(1600, geo.width()), min(900, geo.height()))
        self.operator.move(geo.x(), geo.y())
        self.operator.show()

    async def stop(self) -> None:
        if self._stopping:
            return  # stopping twice (a window's close, then the app's end) is harmless
        self._stopping = True
        if self.control is not None:
            await self.control.stop()
        await self.tours.stop()
        await self.supervisor.stop()
        self._alert_ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._alert_ticker
        self._stopped = True
        self.sound.stop()
        self.briefings.stop()
        if self.presenter is not None:
            self.presenter.close()
            self.presenter.deleteLater()
        self.desk.stop()
        self.alert_service.stop()
        self.wall.close()
        DOCUMENTS.stop()  # a conversion in progress ends with the console
        self.operator.miniature.release()
        self.operator.close()
        # A closed window is only hidden: delete it, or every later language change still reaches it.
        self.operator.deleteLater()
        # Decoder threads may sit in a read for up to the stream timeout: wait for them off the loop,
        # on a thread of our own (the loop's executor threads would outlive the console).
        stopper = threading.Thread(target=self.media.stop, name="media-stop")
        stopper.start()
        while stopper.is_alive():
            await asyncio.sleep(0.02)
        self.db.stop()
        self.languages.release()
