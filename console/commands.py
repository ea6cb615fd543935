"""Commands that change what the wall shows: the one vocabulary for the UI, keys and control API.

Tile numbers are 1-based, as operators count them on the wall.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class CommandError(ValueError):
    """A command that cannot be parsed or applied; the message says why, for a person."""


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: ClassVar[str]

    def args(self) -> dict[str, Any]:
        return self.model_dump()


class AssignSource(Command):
    name: ClassVar[str] = "assign_source"
    tile: int = Field(ge=1)
    source: str = Field(min_length=1)


class ClearTile(Command):
    name: ClassVar[str] = "clear_tile"
    tile: int = Field(ge=1)


class SwapTiles(Command):
    name: ClassVar[str] = "swap_tiles"
    a: int = Field(ge=1)
    b: int = Field(ge=1)


class ApplyLayout(Command):
    name: ClassVar[str] = "apply_layout"
    layout: str = Field(min_length=1)


class RecallPreset(Command):
    name: ClassVar[str] = "recall_preset"
    preset: str = Field(min_length=1)


class SavePreset(Command):
    name: ClassVar[str] = "save_preset"
    preset: str = Field(min_length=1, max_length=80)


class DeletePreset(Command):
    name: ClassVar[str] = "delete_preset"
    preset: str = Field(min_length=1)


class PauseTour(Command):
    name: ClassVar[str] = "pause_tour"
    tile: int = Field(ge=1)


class ResumeTour(Command):
    name: ClassVar[str] = "resume_tour"
    tile: int = Field(ge=1)


class KeepFullRate(Command):
    """Keep a camera tile at its full frame rate (``on``) even when the machine is too busy for every
    stream, or let it be reduced again like the others."""

    name: ClassVar[str] = "keep_full_rate"
    tile: int = Field(ge=1)
    on: bool = True


class ShowKpi(Command):
    """Re-scope or re-shape the KPI tile ``tile``: drill to a unit, switch view or time range.
    Fields left empty keep what the tile shows."""

    name: ClassVar[str] = "show_kpi"
    tile: int = Field(ge=1)
    unit: str | None = None
    view: str | None = None
    range: str | None = None


class ShowDocument(Command):
    """Turn the page of a document tile, or change its fit or zoom. ``page`` goes to a page (clamped to
    the document's pages); ``step`` moves by pages (+1 next, -1 previous). Fields left empty keep
    what the tile shows."""

    name: ClassVar[str] = "show_document"
    tile: int = Field(ge=1)
    page: int | None = Field(None, ge=1)
    step: int | None = None
    fit: str | None = None
    zoom: float | None = Field(None, ge=1.0, le=4.0)
    cx: float | None = Field(None, ge=0.0, le=1.0)
    cy: float | None = Field(None, ge=0.0, le=1.0)


class SetPresentation(Command):
    """Presentation mode for a meeting (``on``), or back to live operations exactly as the wall was."""

    name: ClassVar[str] = "presentation"
    on: bool
    title: str = Field("", max_length=200)


class UnmaskTile(Command):
    """Show a sensitive camera unmasked in presentation mode (audited), until its tile changes."""

    name: ClassVar[str] = "unmask_tile"
    tile: int = Field(ge=1)


class MaskTile(Command):
    name: ClassVar[str] = "mask_tile"
    tile: int = Field(ge=1)


class BlankWall(Command):
    """Black out the wall (``on`` None: toggle), as a presenter's B key does."""

    name: ClassVar[str] = "blank_wall"
    on: bool | None = None


class StartBriefing(Command):
    """Run a briefing from scene ``scene``; ``freeze`` holds KPI values at the start (None: the briefing's
    own setting); ``presentation`` also switches the wall to presentation mode."""

    name: ClassVar[str] = "start_briefing"
    briefing: str = Field(min_length=1)
    scene: int = Field(1, ge=1)
    freeze: bool | None = None
    presentation: bool = False


class NextScene(Command):
    name: ClassVar[str] = "next_scene"


class PreviousScene(Command):
    name: ClassVar[str] = "previous_scene"


class GotoScene(Command):
    name: ClassVar[str] = "goto_scene"
    scene: int = Field(ge=1)


class PauseBriefing(Command):
    name: ClassVar[str] = "pause_briefing"


class ResumeBriefing(Command):
    name: ClassVar[str] = "resume_briefing"


class EndBriefing(Command):
    """Stop the briefing and return to live operations, the wall exactly as it was before."""

    name: ClassVar[str] = "end_briefing"


class NewBriefing(Command):
    name: ClassVar[str] = "new_briefing"
    title: str = Field(min_length=1, max_length=200)


class AddScene(Command):
    """Add the wall as it is now as a scene of ``briefing`` (at the end, or before scene ``at``)."""

    name: ClassVar[str] = "add_scene"
    briefing: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=10000)
    duration_s: float = Field(0.0, ge=0, le=24 * 3600)
    presenter: str = Field("", max_length=200)
    at: int | None = Field(None, ge=1)


class EditScene(Command):
    """Change a scene's words or timing; ``replace_tiles`` also takes the wall as it is now."""

    name: ClassVar[str] = "edit_scene"
    briefing: str = Field(min_length=1)
    scene: int = Field(ge=1)
    title: str | None = Field(None, min_length=1, max_length=200)
    notes: str | None = Field(None, max_length=10000)
    duration_s: float | None = Field(None, ge=0, le=24 * 3600)
    presenter: str | None = Field(None, max_length=200)
    replace_tiles: bool = False


class MoveScene(Command):
    name: ClassVar[str] = "move_scene"
    briefing: str = Field(min_length=1)
    scene: int = Field(ge=1)
    to: int = Field(ge=1)


class DeleteScene(Command):
    name: ClassVar[str] = "delete_scene"
    briefing: str = Field(min_length=1)
    scene: int = Field(ge=1)


class AlertCommand(Command):
    """An operator's action on one alert; ``action`` is the workflow step it asks for."""

    action: ClassVar[str]
    alert: int = Field(ge=1)
    note: str = Field("", max_length=2000)


class AckAlert(AlertCommand):
    name: ClassVar[str] = "ack_alert"
    action: ClassVar[str] = "acknowledge"


class AssignAlert(AlertCommand):
    name: ClassVar[str] = "assign_alert"
    action: ClassVar[str] = "assign"
    assignee: str = Field(min_length=1, max_length=200)


class ResolveAlert(AlertCommand):
    name: ClassVar[str] = "resolve_alert"
    action: ClassVar[str] = "resolve"


class CloseAlert(AlertCommand):
    name: ClassVar[str] = "close_alert"
    action: ClassVar[str] = "close"


class ReopenAlert(AlertCommand):
    name: ClassVar[str] = "reopen_alert"
    action: ClassVar[str] = "reopen"


class NoteAlert(AlertCommand):
    name: ClassVar[str] = "note_alert"
    action: ClassVar[str] = "note"


class AddSilence(Command):
    name: ClassVar[str] = "add_silence"
    reason: str = Field(min_length=1, max_length=500)
    minutes: float = Field(gt=0, le=7 * 24 * 60)
    domain: str = ""
    unit: str = ""
    source: str = ""
    key: str = ""


class LiftSilence(Command):
    name: ClassVar[str] = "lift_silence"
    silence: int = Field(ge=1)


ALERT_COMMANDS: tuple[type[Command], ...] = (AckAlert, AssignAlert, ResolveAlert, CloseAlert, ReopenAlert,
                                             NoteAlert, AddSilence, LiftSilence)

WALL_COMMANDS: tuple[type[Command], ...] = (AssignSource, ShowKpi, ShowDocument, ClearTile, SwapTiles, ApplyLayout, RecallPreset, SavePreset,
                                            DeletePreset, PauseTour, ResumeTour, KeepFullRate)
BRIEFING_COMMANDS: tuple[type[Command], ...] = (SetPresentation, UnmaskTile, MaskTile, BlankWall, StartBriefing,
                                                NextScene, PreviousScene, GotoScene, PauseBriefing, ResumeBriefing,
                                                EndBriefing, NewBriefing, AddScene, EditScene, MoveScene, DeleteScene)
COMMANDS: dict[str, type[Command]] = {c.name: c for c in (*WALL_COMMANDS, *ALERT_COMMANDS, *BRIEFING_COMMANDS)}


def parse_command(name: Any, args: Any) -> Command:
    """Build a command from its JSON form; raises CommandError naming what is wrong."""
    if not isinstance(name, str) or name not in COMMANDS:
        raise CommandError(f"unknown command {name!r} (known: {', '.join(sorted(COMMANDS))})")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise CommandError(f"{name}: 'args' must be an object, got {type(args).__name__}")
    try:
        return COMMANDS[name].model_validate(args)
    except ValidationError as exc:
        parts = []
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"]) or "args"
            msg = "required" if e["type"] == "missing" else e["msg"]
            parts.append(f"{field}: {msg}")
        raise CommandError(f"{name}: " + "; ".join(parts)) from None
