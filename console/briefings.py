"""BriefingDesk: runs briefings scene by scene, presentation mode, the run log, and briefing files.

Every change arrives as a command through the store (audited there); the desk answers with the
wall's new state. Before a briefing or a meeting changes the wall, the live wall is kept, and
ending either puts it back exactly. Thread: GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from console.alerts.desk import AlertDesk
from console.bus import Bus
from console.commands import (
    BRIEFING_COMMANDS,
    AddScene,
    BlankWall,
    Command,
    CommandError,
    DeleteScene,
    EditScene,
    EndBriefing,
    GotoScene,
    MaskTile,
    MoveScene,
    NewBriefing,
    NextScene,
    PauseBriefing,
    PreviousScene,
    ResumeBriefing,
    SetPresentation,
    StartBriefing,
    UnmaskTile,
)
from console.messages import SourcesChanged
from console.model.briefings import (
    Briefing,
    BriefingRun,
    Scene,
    load_briefings,
    save_briefing,
    slug,
)
from console.model.kpi import base_source_id
from console.model.sources import Source, SourceKind
from console.model.wall import WallState
from console.persistence import Database
from console.store import Store

log = logging.getLogger(__name__)

AGENDA_PREFIX = "agenda/"
SENSITIVE = "sensitive"


class BriefingDesk:
    def __init__(self, bus: Bus, store: Store, db: Database, folder: Path, alerts: AlertDesk | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.bus = bus
        self.store = store
        self.db = db
        self.folder = folder
        self.alerts = alerts
        self.clock = clock
        self.briefings: dict[str, Briefing] = {}
        self.problems: list[str] = []  # one line per briefing file that could not be used
        self.run: BriefingRun | None = None
        self.live: WallState | None = None  # the wall as it was before a briefing or meeting changed it
        self.version = 0  # bumps on every change the presenter view or agenda should show
        self.on_scene_shown: Callable[[int, int], None] = lambda _run, _index: None  # (run id, scene index)
        self.on_run_changed: Callable[[bool], None] = lambda _running: None  # a briefing started or ended
        store.register(BRIEFING_COMMANDS, self.handle)
        self.reload()

    # -- files ---------------------------------------------------------------------------------
    def reload(self) -> None:
        layouts = {name: layout.tile_count for name, layout in self.store.layouts.items()}
        self.briefings, self.problems = load_briefings(self.folder, layouts)
        for problem in self.problems:
            log.warning("briefing not loaded: %s", problem)
        self._changed()

    def _save(self, briefing: Briefing) -> None:
        try:
            path = save_briefing(self.folder, briefing)
        except OSError as exc:
            raise CommandError(f"cannot write {self.folder / (briefing.name + '.json')}: {exc}") from None
        self.briefings[briefing.name] = replace(briefing, path=path)

    def _changed(self) -> None:
        self.store.briefings = self.briefings
        self.store.briefing_run = self.run
        self.version += 1
        self.store.live_version += 1
        self.bus.publish(SourcesChanged("briefings", tuple(
            Source(AGENDA_PREFIX + b.name, SourceKind.AGENDA, b.title, "briefings",
                   detail=f"{len(b.scenes)} scenes") for b in self.briefings.values())))

    def _briefing(self, name: str) -> Briefing:
        found = self.briefings.get(name)
        if found is None:
            raise CommandError(f"no briefing {name!r} (known: {', '.join(sorted(self.briefings)) or 'none'})")
        return found

    @staticmethod
    def _scene_index(briefing: Briefing, number: int) -> int:
        if not 1 <= number <= len(briefing.scenes):
            raise CommandError(f"briefing {briefing.name!r} has scenes 1-{len(briefing.scenes)}, not {number}")
        return number - 1

    # -- commands ------------------------------------------------------------------------------
    def handle(self, cmd: Command, actor: str, origin: str) -> WallState | None:
        state = self.store.state
        if isinstance(cmd, SetPresentation):
            return self._presentation(cmd)
        if isinstance(cmd, UnmaskTile | MaskTile):
            index = self.store._tile(cmd.tile)
            src = self.store.sources.get(base_source_id(state.tiles[index] or ""))
            if src is None or SENSITIVE not in src.tags:
                raise CommandError(f"tile {cmd.tile} shows no camera marked sensitive")
            unmasked = set(state.unmasked)
            if isinstance(cmd, UnmaskTile):
                if not state.presenting:
                    raise CommandError("cameras are masked only in presentation mode")
                unmasked.add(index)
            else:
                unmasked.discard(index)
            return state.with_(unmasked=tuple(sorted(unmasked)))
        if isinstance(cmd, BlankWall):
            return state.with_(blank=not state.blank if cmd.on is None else cmd.on)
        if isinstance(cmd, StartBriefing):
            return self._start(cmd)
        if isinstance(cmd, NextScene | PreviousScene | GotoScene):
            run = self._running()
            briefing = self._briefing(run.briefing)
            if isinstance(cmd, GotoScene):
                index = self._scene_index(briefing, cmd.scene)
            else:
                index = run.index + (1 if isinstance(cmd, NextScene) else -1)
                if not 0 <= index < len(briefing.scenes):
                    raise CommandError("this is the last scene" if index > run.index else "this is the first scene")
            return self._show(briefing, index)
        if isinstance(cmd, PauseBriefing | ResumeBriefing):
            run = self._running()
            now = self.clock()
            if isinstance(cmd, PauseBriefing) and run.paused_at is None:
                self.run = replace(run, paused_at=now)
            elif isinstance(cmd, ResumeBriefing) and run.paused_at is not None:
                self.run = replace(run, paused_at=None, paused_s=run.paused_s + now - run.paused_at)
            self._changed()
            return None
        if isinstance(cmd, EndBriefing):
            if self.run is None and not state.presenting:
                raise CommandError("no briefing is running")
            return self._back_to_live()
        self._edit(cmd)
        return None

    def _running(self) -> BriefingRun:
        if self.run is None:
            raise CommandError("no briefing is running")
        return self.run

    def _keep_live(self) -> None:
        if self.live is None:
            self.live = self.store.state

    def _presentation(self, cmd: SetPresentation) -> WallState:
        state = self.store.state
        if cmd.on:
            self._keep_live()
            if self.alerts is not None:
                self.alerts.wall_suppressed = True
            caption = cmd.title or state.caption or (self._briefing(self.run.briefing).title if self.run else "")
            return state.with_(mode="presentation", caption=caption, blank=False)
        if not state.presenting:
            raise CommandError("the wall is not in presentation mode")
        return self._back_to_live()

    def _back_to_live(self) -> WallState:
        """End whatever is running and put the live wall back as it was."""
        if self.run is not None:
            self._log_scene_end(self.run)
            self.run = None
            self.on_run_changed(False)
        if self.alerts is not None:
            self.alerts.wall_suppressed = False
        live, self.live = self.live, None
        state = self.store.state
        self._changed()
        if live is None:
            return state.with_(mode="live", blank=False, as_of=None, caption="", unmasked=())
        return state.with_(layout=live.layout, tiles=live.tiles, mode="live", blank=False, as_of=None, caption="",
                           unmasked=())

    def _start(self, cmd: StartBriefing) -> WallState:
        briefing = self._briefing(cmd.briefing)
        if not briefing.scenes:
            raise CommandError(f"briefing {briefing.name!r} has no scenes yet")
        index = self._scene_index(briefing, cmd.scene)
        if self.run is not None:
            self._log_scene_end(self.run)
        self._keep_live()
        now = self.clock()
        freeze = briefing.freeze if cmd.freeze is None else cmd.freeze
        self.run = BriefingRun(int(now * 1000), briefing.name, index, now, now, as_of=now if freeze else None)
        state = self._show(briefing, index, first=True)
        self.on_run_changed(True)
        if cmd.presentation:
            if self.alerts is not None:
                self.alerts.wall_suppressed = True
            state = replace(state, mode="presentation")
        return state

    def _show(self, briefing: Briefing, index: int, first: bool = False) -> WallState:
        """Put scene ``index`` on the wall, logging the end of the one before."""
        run = self._running()
        now = self.clock()
        if not first:
            self._log_scene_end(run)
        paused = run.paused_s + (now - run.paused_at if run.paused_at is not None else 0.0)
        self.run = replace(run, index=index, scene_started_at=now, paused_at=None, paused_s=0.0,
                           total_paused_s=run.total_paused_s + paused)
        scene = briefing.scenes[index]
        layout = self.store.layouts.get(scene.layout)
        if layout is None:
            raise CommandError(f"scene {index + 1}: layout {scene.layout!r} no longer exists")
        row = {"run": self.run.run_id, "briefing": briefing.name, "briefing_title": briefing.title,
               "scene": index + 1, "title": scene.title, "start": now, "end": None}
        self.db.submit(lambda db: db.table("briefing_log").insert(row))
        self._changed()
        self.on_scene_shown(self.run.run_id, index)
        state = self.store.state.with_tiles(layout, scene.tiles)
        caption = briefing.title + " – " + scene.title if scene.title else briefing.title
        return replace(state, blank=False, as_of=self.run.as_of, caption=caption)

    def _log_scene_end(self, run: BriefingRun) -> None:
        now, run_id, scene = self.clock(), run.run_id, run.index + 1
        self.db.submit(lambda db: db.execute(
            "update briefing_log set end = ? where run = ? and scene = ? and end is null", [now, run_id, scene]))

    # -- editing -------------------------------------------------------------------------------
    def _edit(self, cmd: Command) -> None:
        state = self.store.state
        if isinstance(cmd, NewBriefing):
            name = slug(cmd.title)
            base, n = name, 2
            while name in self.briefings or (self.folder / f"{name}.json").exists():
                name, n = f"{base}-{n}", n + 1
            self._save(Briefing(name, cmd.title))
        elif isinstance(cmd, AddScene):
            briefing = self._briefing(cmd.briefing)
            scene = Scene(cmd.title, state.layout.name, state.tiles, cmd.notes, cmd.duration_s, cmd.presenter)
            self._save(briefing.with_scene(scene, None if cmd.at is None else cmd.at - 1))
        elif isinstance(cmd, EditScene):
            briefing = self._briefing(cmd.briefing)
            index = self._scene_index(briefing, cmd.scene)
            changes: dict[str, object] = {k: v for k, v in (("title", cmd.title), ("notes", cmd.notes),
                                                            ("duration_s", cmd.duration_s),
                                         ("presenter", cmd.presenter)) if v is not None}
            if cmd.replace_tiles:
                changes.update(layout=state.layout.name, tiles=state.tiles)
            self._save(briefing.edited(index, **changes))
        elif isinstance(cmd, MoveScene):
            briefing = self._briefing(cmd.briefing)
            index = self._scene_index(briefing, cmd.scene)
            self._scene_index(briefing, cmd.to)
            self._save(briefing.moved(index, cmd.to - 1))
        elif isinstance(cmd, DeleteScene):
            briefing = self._briefing(cmd.briefing)
            index = self._scene_index(briefing, cmd.scene)
            if self.run is not None and self.run.briefing == briefing.name:
                raise CommandError("this briefing is running: end it before deleting scenes")
            self._save(briefing.without(index))
        else:
            raise CommandError(f"command {cmd.name!r} is not handled")
        self._changed()
        return None

    # -- what the presenter view and the agenda read ---------------------------------------------
    def current(self) -> tuple[Briefing, BriefingRun] | None:
        if self.run is None or self.run.briefing not in self.briefings:
            return None
        return self.briefings[self.run.briefing], self.run

    def run_log(self, run_id: int | None = None, briefing: str | None = None) -> list[dict]:
        """Rows of a run (the latest, of ``briefing`` if given, when None): scene number, title, start,
        end - for the minutes."""
        self.db.flush()
        return self.db.briefing_log(run_id, briefing)

    def stop(self) -> None:
        if self.run is not None:
            self._log_scene_end(self.run)
