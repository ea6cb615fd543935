"""The Store with a real bus and database: commands as an operator sees them, refusals, the audit
trail, saved presets across restarts, and the command parser's messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.bus import Bus
from console.commands import (
    COMMANDS,
    ApplyLayout,
    AssignSource,
    ClearTile,
    CommandError,
    DeletePreset,
    KeepFullRate,
    RecallPreset,
    SavePreset,
    SwapTiles,
    parse_command,
)
from console.messages import PresetsChanged, SourcesChanged, WallChanged
from console.model.sources import Source, SourceKind
from console.model.wall import Preset
from console.persistence import Database
from console.store import Store
from layouts.grid import BUILTIN_LAYOUTS

CAM1, CAM2, KPI = "demo/cam-01", "demo/cam-02", "demo/kpi-aqi"
SITE_PRESET = Preset("Morning", "3x3", (CAM1, None, CAM2), origin="site")


class World:
    """A store as the console builds it, plus what it published."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.bus = Bus()
        self.db = Database(db_path)
        self.store = Store(self.bus, self.db, BUILTIN_LAYOUTS, "2x2", (SITE_PRESET,))
        self.walls: list[WallChanged] = []
        self.presets: list[PresetsChanged] = []
        self.bus.subscribe(WallChanged, self.walls.append)
        self.bus.subscribe(PresetsChanged, self.presets.append)
        self.bus.publish(SourcesChanged("demo", (
            Source(CAM1, SourceKind.CAMERA, "Cam 1", "demo"),
            Source(CAM2, SourceKind.CAMERA, "Cam 2", "demo"),
            Source(KPI, SourceKind.KPI, "AQI", "demo"),
        )))

    def do(self, command, actor: str = "alice", origin: str = "ui"):
        return self.store.execute(command, actor, origin)

    def view(self) -> tuple[str, int, tuple[str | None, ...]]:
        s = self.store.state
        return s.layout.name, s.version, s.tiles

    def audit(self):
        assert self.db.flush()
        return self.db.audit_rows()


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    w = World(tmp_path / "console.db")
    yield w
    w.db.stop()


def test_starts_empty_on_the_default_layout(world):
    assert world.view() == ("2x2", 0, (None, None, None, None))
    assert set(world.store.sources) == {CAM1, CAM2, KPI}
    assert world.store.presets == {"Morning": SITE_PRESET}


def test_assign_clear_and_swap(world):
    r = world.do(AssignSource(tile=2, source=CAM1))
    assert r.ok and r.version == 1 and r.error == ""
    assert world.view() == ("2x2", 1, (None, CAM1, None, None))

    assert world.do(AssignSource(tile=4, source=KPI)).ok
    assert world.view() == ("2x2", 2, (None, CAM1, None, KPI))

    assert world.do(SwapTiles(a=2, b=3)).ok
    assert world.view() == ("2x2", 3, (None, None, CAM1, KPI))

    assert world.do(ClearTile(tile=4)).ok
    assert world.view() == ("2x2", 4, (None, None, CAM1, None))


def test_apply_layout_keeps_sources_in_order(world):
    world.do(AssignSource(tile=1, source=CAM1))
    world.do(AssignSource(tile=4, source=CAM2))
    assert world.do(ApplyLayout(layout="3x3")).ok
    assert world.view() == ("3x3", 3, (CAM1, None, None, CAM2, None, None, None, None, None))
    # A smaller layout keeps the first tiles.
    assert world.do(ApplyLayout(layout="1x1")).ok
    assert world.view() == ("1x1", 4, (CAM1,))


def test_recall_save_and_delete_presets(world):
    assert world.do(RecallPreset(preset="Morning")).ok
    assert world.view() == ("3x3", 1, (CAM1, None, CAM2, None, None, None, None, None, None))

    world.do(ApplyLayout(layout="2x2"))
    world.do(AssignSource(tile=3, source=KPI))
    before = world.view()
    r = world.do(SavePreset(preset="Night shift"))
    assert r.ok
    assert world.view() == before, "saving does not change the wall"
    assert world.store.presets["Night shift"] == Preset("Night shift", "2x2", (CAM1, None, KPI, None), "saved")
    assert world.presets[-1].presets == tuple(world.store.presets.values())

    world.do(RecallPreset(preset="Morning"))
    assert world.view()[0] == "3x3"
    assert world.do(RecallPreset(preset="Night shift")).ok
    assert world.view()[0::2] == ("2x2", (CAM1, None, KPI, None))

    assert world.do(DeletePreset(preset="Night shift")).ok
    assert "Night shift" not in world.store.presets
    assert "Night shift" not in [p.name for p in world.presets[-1].presets]
    assert world.store.snapshot()["presets"] == ["Morning"]


@pytest.mark.parametrize(("command", "words"), [
    (AssignSource(tile=5, source=CAM1), ["no tile 5", "'2x2'", "1-4"]),
    (ClearTile(tile=9), ["no tile 9"]),
    (SwapTiles(a=1, b=5), ["no tile 5"]),
    (AssignSource(tile=1, source="demo/cam-99"), ["no source 'demo/cam-99'"]),
    (ApplyLayout(layout="5x5"), ["no layout '5x5'", "known:", "3x3"]),
    (RecallPreset(preset="Evening"), ["no preset 'Evening'"]),
    (DeletePreset(preset="Evening"), ["no preset 'Evening'"]),
    (DeletePreset(preset="Morning"), ["'Morning'", "site file"]),
])
def test_refusals_leave_the_state_alone(world, command, words):
    world.do(AssignSource(tile=1, source=CAM1))
    before = world.view()
    presets_before = dict(world.store.presets)
    walls_before = len(world.walls)
    r = world.do(command)
    assert not r.ok
    assert r.version == before[1]
    for w in words:
        assert w in r.error
    assert world.view() == before
    assert world.store.presets == presets_before
    assert len(world.walls) == walls_before

    row = world.audit()[-1]
    assert (row.actor, row.origin, row.command) == ("alice", "ui", command.name)
    assert row.result == f"refused: {r.error}"
    assert row.args == command.args()


def test_keep_full_rate_marks_camera_tiles_only_and_follows_the_layout(world):
    world.do(AssignSource(tile=1, source=CAM1))
    world.do(AssignSource(tile=2, source=KPI))
    world.do(AssignSource(tile=4, source=CAM2))
    assert world.do(KeepFullRate(tile=4)).ok
    assert world.store.state.full_rate == (3,)
    refused = world.do(KeepFullRate(tile=2))
    assert not refused.ok and refused.error == "tile 2 shows no camera"
    assert world.do(KeepFullRate(tile=1)).ok
    version = world.store.state.version
    assert world.do(KeepFullRate(tile=1)).ok and world.store.state.version == version  # already kept: no change
    assert world.store.state.to_dict()["full_rate"] == [1, 4]
    # It belongs to the tile: another camera there keeps it; a layout without the tile drops it.
    assert world.do(AssignSource(tile=4, source=CAM1)).ok and world.store.state.full_rate == (0, 3)
    assert world.do(ApplyLayout(layout="1x1")).ok and world.store.state.full_rate == (0,)
    assert world.do(KeepFullRate(tile=1, on=False)).ok and world.store.state.full_rate == ()
    rows = [(r.command, r.args, r.result) for r in world.audit() if r.command == "keep_full_rate"]
    assert rows == [("keep_full_rate", {"tile": 4, "on": True}, "applied"),
                    ("keep_full_rate", {"tile": 2, "on": True}, "refused: tile 2 shows no camera"),
                    ("keep_full_rate", {"tile": 1, "on": True}, "applied"),
                    ("keep_full_rate", {"tile": 1, "on": True}, "applied"),
                    ("keep_full_rate", {"tile": 1, "on": False}, "applied")]


def test_every_command_is_audited(world):
    world.do(AssignSource(tile=1, source=CAM1), "alice", "ui")
    world.do(AssignSource(tile=7, source=CAM1), "bob", "api")
    world.do(SavePreset(preset="Mine"), "carol", "keys")
    world.store.record_refused("apply_layout", {"layout": "2x2"}, "mallory", "api", "bad token")
    rows = world.audit()
    assert [(r.actor, r.origin, r.command, r.args, r.result, r.version) for r in rows] == [
        ("alice", "ui", "assign_source", {"tile": 1, "source": CAM1}, "applied", 1),
        ("bob", "api", "assign_source", {"tile": 7, "source": CAM1},
         "refused: no tile 7: layout '2x2' has tiles 1-4", 1),
        ("carol", "keys", "save_preset", {"preset": "Mine"}, "applied", 1),
        ("mallory", "api", "apply_layout", {"layout": "2x2"}, "refused: bad token", 1),
    ]
    assert all(r.ts > 0 for r in rows)
    assert [r.ts for r in rows] == sorted(r.ts for r in rows)


def test_wall_changed_once_per_applied_change(world):
    world.do(AssignSource(tile=1, source=CAM1), "alice", "ui")
    assert len(world.walls) == 1
    msg = world.walls[0]
    assert (msg.state, msg.command, msg.actor, msg.origin) == (world.store.state, "assign_source", "alice", "ui")

    world.do(ApplyLayout(layout="3x3"), "bob", "api")
    world.do(ApplyLayout(layout="nope"))  # refused
    world.do(SavePreset(preset="p"))  # the wall does not change
    world.do(RecallPreset(preset="p"))
    world.do(DeletePreset(preset="p"))
    assert [m.command for m in world.walls] == ["assign_source", "apply_layout", "recall_preset"]
    assert [m.state.version for m in world.walls] == [1, 2, 3]
    assert world.walls[-1].state == world.store.state


def test_saved_presets_survive_a_restart(tmp_path):
    first = World(tmp_path / "console.db")
    first.do(ApplyLayout(layout="1+5"))
    first.do(AssignSource(tile=1, source=CAM2))
    first.do(SavePreset(preset="Briefing"))
    first.do(SavePreset(preset="Scratch"))
    first.do(DeletePreset(preset="Scratch"))
    first.db.stop()  # queued writes are done before the writer stops

    second = World(tmp_path / "console.db")
    try:
        assert set(second.store.presets) == {"Morning", "Briefing"}
        saved = second.store.presets["Briefing"]
        assert saved == Preset("Briefing", "1+5", (CAM2, None, None, None, None, None), origin="saved")
        assert second.do(RecallPreset(preset="Briefing")).ok
        assert second.view() == ("1+5", 1, (CAM2, None, None, None, None, None))
        # The audit trail of the first run is still there, followed by the second's.
        assert [r.command for r in second.audit()] == [
            "apply_layout", "assign_source", "save_preset", "save_preset", "delete_preset", "recall_preset"]
    finally:
        second.db.stop()


def test_sources_of_a_connector_are_replaced_as_a_whole(world):
    world.bus.publish(SourcesChanged("demo", (Source(CAM2, SourceKind.CAMERA, "Cam 2", "demo"),)))
    world.bus.publish(SourcesChanged("other", (Source("other/x", SourceKind.KPI, "X", "other"),)))
    assert set(world.store.sources) == {CAM2, "other/x"}
    r = world.do(AssignSource(tile=1, source=CAM1))
    assert not r.ok and "no source" in r.error


# -- parse_command -----------------------------------------------------------------------------

def test_parse_command_builds_every_command():
    assert parse_command("assign_source", {"tile": 3, "source": CAM1}) == AssignSource(tile=3, source=CAM1)
    assert parse_command("swap_tiles", {"a": 1, "b": 2}) == SwapTiles(a=1, b=2)
    assert parse_command("apply_layout", {"layout": "hero"}) == ApplyLayout(layout="hero")
    assert set(COMMANDS) == {"assign_source", "show_kpi", "clear_tile", "swap_tiles", "apply_layout", "recall_preset",
                             "save_preset", "delete_preset", "pause_tour", "resume_tour", "ack_alert",
                             "assign_alert", "resolve_alert", "close_alert", "reopen_alert", "note_alert",
                             "add_silence", "lift_silence", "show_document", "presentation", "unmask_tile",
                             "mask_tile", "blank_wall", "start_briefing", "next_scene", "previous_scene",
                             "goto_scene", "pause_briefing", "resume_briefing", "end_briefing", "new_briefing",
                             "add_scene", "edit_scene", "move_scene", "delete_scene", "keep_full_rate"}


@pytest.mark.parametrize(("name", "args", "words"), [
    ("zap", {}, ["unknown command 'zap'", "known:", "assign_source", "swap_tiles"]),
    (None, {}, ["unknown command None"]),
    ("assign_source", {"tile": 1}, ["assign_source:", "source: required"]),
    ("swap_tiles", {"a": 1}, ["swap_tiles:", "b: required"]),
    ("assign_source", {"tile": "one", "source": CAM1}, ["assign_source:", "tile:", "integer"]),
    ("clear_tile", {"tile": 0}, ["clear_tile:", "tile:", "greater than or equal to 1"]),
    ("apply_layout", {"layout": "2x2", "colour": "red"}, ["apply_layout:", "colour:"]),
    ("clear_tile", [1], ["clear_tile:", "'args' must be an object", "list"]),
    ("save_preset", {"preset": "x" * 81}, ["save_preset:", "preset:", "80"]),
])
def test_parse_command_errors_name_the_field(name, args, words):
    with pytest.raises(CommandError) as info:
        parse_command(name, args)
    for w in words:
        assert w in str(info.value)
