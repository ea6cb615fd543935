"""The one owner of live state: wall state, presets, source catalogue and latest values.

Every change to what the wall shows goes through ``Store.execute``; it validates, applies,
writes an audit row and publishes ``WallChanged``. Thread: GUI thread only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.bus import Bus
from console.commands import (
    ApplyLayout,
    AssignSource,
    ClearTile,
    Command,
    CommandError,
    DeletePreset,
    KeepFullRate,
    PauseTour,
    RecallPreset,
    ResumeTour,
    SavePreset,
    ShowDocument,
    ShowKpi,
    SwapTiles,
)
from console.messages import (
    ConnectorHealthChanged,
    PresetsChanged,
    SourcesChanged,
    TourPauseRequested,
    ValueReceived,
    WallChanged,
)
from console.model.briefings import Briefing, BriefingRun
from console.model.documents import FITS, DocRef, DocRefError, DocumentListing, ListFilter, Pointer
from console.model.kpi import RANGES, VIEWS, KpiRef, KpiRefError, UnitTree, base_source_id, is_kpi_ref
from console.model.sources import DocumentText, Source, SourceKind
from console.model.tours import TOUR_PREFIX
from console.model.wall import Preset, WallState
from console.persistence import AuditRecord, Database
from layouts.grid import Layout

if TYPE_CHECKING:
    from console.kpi.book import KpiBook

log = logging.getLogger(__name__)

# A registered owner's handler: raises CommandError to refuse, returns the wall's new state or None.
Handler = Callable[[Command, str, str], "WallState | None"]


@dataclass(frozen=True)
class CommandResult:
    ok: bool
    version: int
    error: str = ""


class Store:
    def __init__(
        self,
        bus: Bus,
        db: Database,
        layouts: Mapping[str, Layout],
        default_layout: str,
        site_presets: tuple[Preset, ...] = (),
    ) -> None:
        self.bus = bus
        self.db = db
        self.layouts = dict(layouts)
        layout = self.layouts[default_layout]
        self.state = WallState(0, layout, (None,) * layout.tile_count)
        self.presets: dict[str, Preset] = {p.name: p for p in site_presets}
        for p in db.saved_presets():
            if p.layout in self.layouts:
                self.presets[p.name] = p
        self.sources: dict[str, Source] = {}
        self.documents: dict[str, DocumentText] = {}
        self.doc_lists: dict[str, DocumentListing] = {}  # register source id -> its latest listing
        self.pointer: Pointer | None = None  # the operator's pointer on a document tile (runtime only)
        self.pointer_version = 0
        self.briefings: dict[str, Briefing] = {}  # by file name (kept by the briefing desk)
        self.briefing_run: BriefingRun | None = None  # the briefing being presented, if any
        self.doc_pages: dict[str, int] = {}  # document source id -> its page count, once opened (runtime)
        self.health: dict[str, ConnectorHealthChanged] = {}
        self.active_preset = ""  # the preset last recalled or saved, for the operator's chooser
        self.alarm_tiles: frozenset[int] = frozenset()  # tile indexes showing an alarm's camera now (the alert desk's)
        self._handlers: dict[type[Command], Handler] = {}
        self.live_version = 0  # bumps on every value, so views know when to repaint
        self.kpi_book: KpiBook | None = None  # KPI series per indicator and unit (set by the KPI service)
        self.kpi_units: UnitTree | None = None
        self.kpi_providers: dict[str, str] = {}  # indicator -> the connector that last sent its values
        bus.subscribe(SourcesChanged, self._on_sources)
        bus.subscribe(ValueReceived, self._on_value)
        bus.subscribe(ConnectorHealthChanged, self._on_health)

    # -- commands -------------------------------------------------------------------------
    def register(self, kinds: tuple[type[Command], ...], handler: Handler) -> None:
        """Let another owner (the alert desk, later briefings) apply some commands, through this one path:
        the handler raises CommandError to refuse; either way the command is audited here."""
        for kind in kinds:
            self._handlers[kind] = handler

    def execute(self, command: Command, actor: str, origin: str) -> CommandResult:
        try:
            handler = self._handlers.get(type(command))
            if handler is not None:
                new_state = handler(command, actor, origin)
            else:
                new_state = self._apply(command)
        except CommandError as exc:
            self._audit(command.name, command.args(), actor, origin, f"refused: {exc}")
            return CommandResult(False, self.state.version, str(exc))
        if new_state is not None:
            self.state = new_state
        self._audit(command.name, command.args(), actor, origin, "applied")
        if new_state is not None:
            self.bus.publish(WallChanged(self.state, command.name, actor, origin))
        return CommandResult(True, self.state.version)

    def record_refused(self, command: str, args: dict, actor: str, origin: str, reason: str) -> None:
        """Audit a command refused before it reached the store (e.g. a bad control token)."""
        self._audit(command, args, actor, origin, f"refused: {reason}")

    def record_action(self, action: str, args: dict, actor: str, origin: str, result: str = "done") -> None:
        """Audit an operator action that does not change the wall (a snapshot, say)."""
        self._audit(action, args, actor, origin, result)

    def _audit(self, command: str, args: dict, actor: str, origin: str, result: str) -> None:
        self.db.audit(AuditRecord(time.time(), actor, origin, command, args, result, self.state.version))

    def _tile(self, number: int) -> int:
        if not 1 <= number <= self.state.layout.tile_count:
            raise CommandError(
                f"no tile {number}: layout {self.state.layout.name!r} has tiles 1-{self.state.layout.tile_count}"
            )
        return number - 1

    def _checked_kpi(self, text: str) -> KpiRef:
        try:
            ref = KpiRef.parse(text)
        except KpiRefError as exc:
            raise CommandError(str(exc)) from None
        if ref.unit and self.kpi_units is not None and ref.unit not in self.kpi_units.units:
            raise CommandError(f"no administrative unit {ref.unit!r}")
        return ref

    def _checked_doc(self, text: str) -> DocRef:
        src = self.sources.get(base_source_id(text))
        if src is None or src.kind != SourceKind.DOCUMENT:
            raise CommandError(f"{base_source_id(text)!r} is not a document: only documents take page settings")
        try:
            return DocRef.parse(text)
        except DocRefError as exc:
            raise CommandError(str(exc)) from None

    def _apply(self, cmd: Command) -> WallState | None:
        if isinstance(cmd, AssignSource):
            index = self._tile(cmd.tile)
            if base_source_id(cmd.source) not in self.sources:
                raise CommandError(f"no source {cmd.source!r}")
            ref = cmd.source
            if is_kpi_ref(ref):
                ref = self._checked_kpi(ref).text()
            elif "?" in ref and self.sources[base_source_id(ref)].kind == SourceKind.DOCUMENT_LIST:
                try:
                    ref = ListFilter.parse(ref).text()
                except DocRefError as exc:
                    raise CommandError(str(exc)) from None
            elif "?" in ref:
                ref = self._checked_doc(ref).text()
            return self.state.with_tile(index, ref)
        if isinstance(cmd, ShowDocument):
            index = self._tile(cmd.tile)
            current = self.state.tiles[index]
            src = self.sources.get(base_source_id(current)) if current else None
            if src is None or src.kind != SourceKind.DOCUMENT:
                raise CommandError(f"tile {cmd.tile} shows no document")
            doc = self._checked_doc(current or "")
            if cmd.fit is not None and cmd.fit not in FITS:
                raise CommandError(f"fit {cmd.fit!r} is not one of {', '.join(FITS)}")
            page = cmd.page if cmd.page is not None else doc.page + (cmd.step or 0)
            pages = self.doc_pages.get(doc.source)
            page = max(1, min(page, pages) if pages else page)
            doc_changes: dict[str, object] = {k: v for k, v in (("fit", cmd.fit), ("zoom", cmd.zoom), ("cx", cmd.cx),
                                                            ("cy", cmd.cy)) if v is not None}
            if page != doc.page and cmd.cy is None:
                doc_changes["cy"] = 0.0 if (cmd.fit or doc.fit) == "width" else 0.5  # a new page starts at its top
            moved = doc.with_(page=page, **doc_changes)
            if moved == doc:
                return None  # already there (the last page, say): nothing to repaint
            return self.state.with_tile(index, moved.text())
        if isinstance(cmd, ShowKpi):
            index = self._tile(cmd.tile)
            current = self.state.tiles[index]
            if not is_kpi_ref(current):
                raise CommandError(f"tile {cmd.tile} shows no KPI")
            kref = self._checked_kpi(current or "")
            if cmd.view is not None and cmd.view not in VIEWS:
                raise CommandError(f"view {cmd.view!r} is not one of {', '.join(VIEWS)}")
            if cmd.range is not None and cmd.range not in RANGES:
                raise CommandError(f"range {cmd.range!r} is not one of {', '.join(RANGES)}")
            changes = {k: v for k, v in (("unit", cmd.unit), ("view", cmd.view), ("range", cmd.range)) if v is not None}
            new = self._checked_kpi(kref.with_(**changes).text())
            return self.state.with_tile(index, new.text())
        if isinstance(cmd, ClearTile):
            return self.state.with_tile(self._tile(cmd.tile), None)
        if isinstance(cmd, SwapTiles):
            a, b = self._tile(cmd.a), self._tile(cmd.b)
            tiles = list(self.state.tiles)
            tiles[a], tiles[b] = tiles[b], tiles[a]
            return self.state.with_tiles(self.state.layout, tiles)
        if isinstance(cmd, ApplyLayout):
            layout = self.layouts.get(cmd.layout)
            if layout is None:
                raise CommandError(f"no layout {cmd.layout!r} (known: {', '.join(self.layouts)})")
            return self.state.with_layout(layout)
        if isinstance(cmd, RecallPreset):
            preset = self.presets.get(cmd.preset)
            if preset is None:
                raise CommandError(f"no preset {cmd.preset!r}")
            self.active_preset = preset.name
            return self.state.with_tiles(self.layouts[preset.layout], list(preset.tiles))
        if isinstance(cmd, SavePreset):
            existing = self.presets.get(cmd.preset)
            if existing is not None and existing.origin == "site":
                raise CommandError(f"preset {cmd.preset!r} comes from the site file; save under another name")
            preset = Preset(cmd.preset, self.state.layout.name, self.state.tiles, origin="saved")
            self.presets[preset.name] = preset
            self.active_preset = preset.name
            self.db.save_preset(preset)
            self.bus.publish(PresetsChanged(tuple(self.presets.values())))
            return None
        if isinstance(cmd, PauseTour | ResumeTour):
            index = self._tile(cmd.tile)
            sid = self.state.tiles[index] or ""
            if not sid.startswith(TOUR_PREFIX):
                raise CommandError(f"tile {cmd.tile} shows no camera tour")
            self.bus.publish(TourPauseRequested(index, isinstance(cmd, PauseTour)))
            return None
        if isinstance(cmd, KeepFullRate):
            index = self._tile(cmd.tile)
            sid = self.state.tiles[index] or ""
            src = self.sources.get(base_source_id(sid))
            if cmd.on and not sid.startswith(TOUR_PREFIX) and (src is None or src.kind != SourceKind.CAMERA):
                raise CommandError(f"tile {cmd.tile} shows no camera")
            kept = set(self.state.full_rate)
            if (index in kept) == cmd.on:
                return None  # already so
            kept = kept | {index} if cmd.on else kept - {index}
            return self.state.with_(full_rate=tuple(sorted(kept)))
        if isinstance(cmd, DeletePreset):
            existing = self.presets.get(cmd.preset)
            if existing is None:
                raise CommandError(f"no preset {cmd.preset!r}")
            if existing.origin == "site":
                raise CommandError(f"preset {cmd.preset!r} comes from the site file; edit the file to remove it")
            del self.presets[cmd.preset]
            self.db.delete_preset(cmd.preset)
            self.bus.publish(PresetsChanged(tuple(self.presets.values())))
            return None
        raise CommandError(f"command {cmd.name!r} is not handled")

    def set_pointer(self, tile: int | None, x: float = 0.5, y: float = 0.5) -> None:
        """Move (or, with ``tile`` None, hide) the pointer on a document tile; views redraw that tile.
        Not audited: it moves with the operator's hand, many times a second."""
        if tile is None:
            self.pointer = None
        else:
            self.pointer = Pointer(tile, min(1.0, max(0.0, x)), min(1.0, max(0.0, y)), time.time())
        self.pointer_version += 1

    # -- live data ------------------------------------------------------------------------
    def _on_sources(self, msg: SourcesChanged) -> None:
        for sid in [s for s, src in self.sources.items() if src.connector == msg.connector]:
            del self.sources[sid]
        for src in msg.sources:
            self.sources[src.id] = src
        self.live_version += 1

    def _on_value(self, msg: ValueReceived) -> None:
        v = msg.value
        if isinstance(v, DocumentText):
            self.documents[v.source_id] = v
        elif isinstance(v, DocumentListing):
            self.doc_lists[v.source_id] = v
        self.live_version += 1

    def _on_health(self, msg: ConnectorHealthChanged) -> None:
        self.health[msg.connector] = msg
        self.live_version += 1

    def snapshot(self) -> dict:
        """The wall state as JSON-ready data, for the control API and screenshots' captions."""
        return {
            **self.state.to_dict(),
            "tile_count": self.state.layout.tile_count,
            "layouts": sorted(self.layouts),
            "presets": sorted(self.presets),
        }
