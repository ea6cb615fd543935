"""Console: builds and owns everything a running console has, in start order, and stops it all."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from connectors.registry import Registry
from console.bus import Bus
from console.commands import Command, RecallPreset
from console.media.hub import MediaHub
from console.messages import SourcesChanged
from console.model.sources import Source, SourceKind
from console.persistence import Database
from console.qt.i18n import Languages
from console.qt.operator_window import OperatorWindow
from console.qt.wall import WallManager
from console.site import Site
from console.store import CommandResult, Store
from console.supervisor import Supervisor
from console.tours import Tours

log = logging.getLogger(__name__)

THEME = Path(__file__).resolve().parents[2] / "resources" / "theme" / "dark.qss"


def apply_theme(app: QApplication) -> None:
    f = QFile(str(THEME))
    if f.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Text):
        app.setStyleSheet(bytes(f.readAll().data()).decode("utf-8"))
        f.close()


class Console:
    """Thread: GUI thread, with qasync's loop running. ``start`` then ``stop``, once each."""

    def __init__(self, site: Site, registry: Registry, db_path: str | Path, actor: str, *,
                 force_window: bool = False, control: bool = True, control_port: int | None = None,
                 language: str | None = None, retry_base_s: float = 1.0, snapshot_dir: str | Path | None = None) -> None:
        self.site = site
        self.actor = actor
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir else Path.home() / "Pictures" / "ioc-console"
        self.loop = asyncio.get_event_loop()
        self.bus = Bus(post=self._post)
        self.db = Database(db_path)
        self.media = MediaHub()
        self.store = Store(self.bus, self.db, site.layouts, site.wall.default_layout, site.presets)
        self.supervisor = Supervisor(
            self.bus, registry,
            [(c.name, c.type, c.enabled) for c in site.spec.connectors],
            site.connector_configs, site.units, retry_base_s=retry_base_s,
        )
        self.tours = Tours(self.bus, self.media, site.tours, self.store.sources)
        self.bus.publish(SourcesChanged("tours", tuple(
            Source(t.source_id, SourceKind.TOUR, t.name, "tours", detail=f"{len(t.steps)} cameras") for t in site.tours)))
        self.languages = Languages()
        self.languages.set(language or site.spec.language)
        self.wall = WallManager(site, self.store, self.media, self.tours.position, force_window=force_window)
        self.operator = OperatorWindow(site.name, self.store, self.media, self.tours.position, self.wall.geometry,
                                       site.units, self.execute_operator, self.toggle_language)
        self.operator.sig_snapshot.connect(self._on_snapshot)
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

    def execute(self, command: Command, actor: str, origin: str) -> CommandResult:
        return self.store.execute(command, actor, origin)

    def execute_operator(self, command: Command) -> CommandResult:
        return self.store.execute(command, self.actor, "operator-ui")

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
