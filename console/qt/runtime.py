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

from PySide6.QtCore import QCoreApplication, QFile, QIODevice
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from connectors.registry import Registry
from console.alerts.desk import AlertDesk
from console.alerts.service import AlertService
from console.bus import Bus
from console.commands import Command, RecallPreset, ShowKpi
from console.kpi.service import KpiService
from console.media.hub import MediaHub
from console.messages import AlertsChanged, SourcesChanged
from console.model.alerts import Alert
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
from widgets.tile_painter import set_text_scale

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
        self.wall = WallManager(site, self.store, self.media, self.tours.position, force_window=force_window,
                                alerts_for=self.alerts_for, banner=self.wall_banner)
        self.operator = OperatorWindow(site.name, self.store, self.media, self.tours.position, self.wall.geometry,
                                       site.units, self.execute_operator, self.toggle_language, self.alerts_for,
                                       self.desk, self.wall_banner)
        alerts = site.spec.alerts
        self.sound = AlertSound(self.desk, cache_dir() / "alert-tone.wav", alerts.sound, alerts.volume,
                                alerts.quiet_hours, alerts.quiet_volume)
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
        if self.control is not None:
            await self.control.stop()
        await self.tours.stop()
        await self.supervisor.stop()
        self._alert_ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._alert_ticker
        self.sound.stop()
        self.desk.stop()
        self.alert_service.stop()
        self.wall.close()
        self.operator.miniature.release()
        self.operator.close()
        # Decoder threads may sit in a read for up to the stream timeout: wait for them off the loop,
        # on a thread of our own (the loop's executor threads would outlive the console).
        stopper = threading.Thread(target=self.media.stop, name="media-stop")
        stopper.start()
        while stopper.is_alive():
            await asyncio.sleep(0.02)
        self.db.stop()
