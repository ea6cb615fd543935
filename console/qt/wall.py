"""WallManager: one frameless full-screen window per display, or a scaled window when screens
are missing; follows screens being added and removed while running."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QScreen

from console.media.hub import MediaHub
from console.model.alerts import Alert
from console.model.screens import ScreenPlan, plan_screens
from console.model.sources import Source
from console.model.tours import TourPosition
from console.site import Site, display_names
from console.store import Store
from widgets.camera_feed import CameraFeed
from widgets.tile_painter import TileContext
from widgets.wall_view import WallView

log = logging.getLogger(__name__)




class WallManager(QObject):
    """Owner of the wall's windows. Thread: GUI thread."""

    sig_notice = Signal(str)  # what the operator should know about the wall's screens

    def __init__(self, site: Site, store: Store, media: MediaHub,
                 tour_position: Callable[[int], TourPosition | None], force_window: bool = False,
                 alerts_for: Callable[[Source], list[Alert]] | None = None,
                 banner: Callable[[], str] | None = None, timer: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.timer = timer or (lambda: "")
        # A presenter's clicker sends keys to whichever window has focus; the wall's windows pass them on.
        self.key_handler: Callable[[int, str], bool] = lambda _key, _text: False
        self.site = site
        self.store = store
        self.media = media
        self.tour_position = tour_position
        self.alerts_for = alerts_for
        self.banner = banner or (lambda: "")
        self.force_window = force_window
        self.geometry = site.wall.geometry()
        names = display_names(site.wall.rows, site.wall.cols)
        self.wanted = dict(zip(names, site.wall.screens, strict=True))
        self.windows: dict[str, WallView] = {}  # display name (or "scaled") -> window
        self.plan: ScreenPlan | None = None
        self.notice = ""
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.screenAdded.connect(self._screens_changed)
        app.screenRemoved.connect(self._screens_changed)
        self._replan = QTimer(self)
        self._replan.setSingleShot(True)
        self._replan.setInterval(0)
        self._replan.timeout.connect(self.open)

    @staticmethod
    def screens() -> dict[str, QScreen]:
        return {s.name(): s for s in QGuiApplication.screens()}

    def _screens_changed(self, _screen: QScreen) -> None:
        # Qt finishes removing a screen after this signal; re-plan once the change has settled.
        self._replan.start()

    @property
    def mode(self) -> str:
        return "scaled" if "scaled" in self.windows else "screens"

    def open(self) -> None:
        """(Re)build the wall's windows for the screens present now."""
        self.close()
        screens = self.screens()
        self.plan = plan_screens(self.wanted, self.site.spec.operator.screen, list(screens))
        if self.plan.mapped and not self.force_window:
            for display, screen_name in self.plan.mapped.items():
                self._open_display(display, screens[screen_name])
        else:
            self._open_scaled()
        self._notify()

    def _open_display(self, display: str, screen: QScreen) -> None:
        region = self.geometry.display(display).rect
        view = WallView(self.store, self.media, self.geometry, region, tour_position=self.tour_position, alerts_for=self.alerts_for,
                        banner=self.banner, timer=self.timer)
        view.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        view.setWindowTitle(QCoreApplication.translate("WallManager", "Wall %1").replace("%1", display))
        view.setCursor(Qt.CursorShape.BlankCursor)
        view.installEventFilter(self)
        view.setScreen(screen)
        view.setGeometry(screen.geometry())
        view.showFullScreen()
        self.windows[display] = view

    def _open_scaled(self) -> None:
        view = WallView(self.store, self.media, self.geometry, None, tour_position=self.tour_position, alerts_for=self.alerts_for,
                        banner=self.banner, timer=self.timer)
        view.setWindowTitle(QCoreApplication.translate("WallManager", "Wall (scaled window)"))
        target = QGuiApplication.primaryScreen()
        if self.plan and self.plan.operator_screen:
            target = self.screens().get(self.plan.operator_screen, target)
        avail = target.availableGeometry() if target else None
        width = int(avail.width() * 0.6) if avail else 1280
        height = int(width * self.geometry.height / self.geometry.width)
        view.installEventFilter(self)
        view.resize(width, height)
        if avail is not None:
            view.move(avail.x() + 40, avail.y() + 40)
        view.show()
        self.windows["scaled"] = view

    def _notify(self) -> None:
        assert self.plan is not None
        total = len(self.wanted)
        if self.force_window:
            text = QCoreApplication.translate("WallManager", "Wall shown in a scaled window (requested).")
        elif self.plan.complete:
            text = QCoreApplication.translate("WallManager", "Wall on %1 screens.").replace("%1", str(total))
        elif self.plan.mapped:
            missing = ", ".join(f"{d} ({s})" for d, s in self.plan.missing.items())
            text = QCoreApplication.translate("WallManager", "Wall on %1 of %2 screens; missing: %3.").replace("%1", str(len(self.plan.mapped))).replace(
                "%2", str(total)).replace("%3", missing)
        else:
            text = QCoreApplication.translate("WallManager", "Wall screens not found (%1); showing the wall in a scaled window.").replace(
                "%1", ", ".join(sorted(set(self.plan.missing.values()))))
        if text != self.notice:
            log.info("%s", text)
        self.notice = text
        self.sig_notice.emit(text)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and obj in self.windows.values():
            return self.key_handler(event.key(), event.text())
        return super().eventFilter(obj, event)

    def feed_of(self, source_id: str) -> CameraFeed | None:
        """A feed of camera ``source_id`` that some wall window holds (for scene pictures)."""
        for view in self.windows.values():
            for feed in view.feeds.values():
                if feed.source.id == source_id:
                    return feed
        return None

    def feed_for(self, index: int) -> CameraFeed | None:
        """Any window's feed for tile ``index`` (for pictures of the whole canvas)."""
        for view in self.windows.values():
            feed = view.feeds.get(index)
            if feed is not None:
                return feed
        return None

    def context(self) -> TileContext:
        return TileContext(self.store, self.feed_for, self.tour_position,
                           alerts_for=self.alerts_for or (lambda _s: []), banner=self.banner,
                           kpi_at=self.store.state.as_of, timer=self.timer)

    def close(self) -> None:
        for view in self.windows.values():
            view.release()
            view.close()
            view.deleteLater()
        self.windows = {}
