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


COMMANDS: dict[str, type[Command]] = {
    c.name: c
    for c in (AssignSource, ClearTile, SwapTiles, ApplyLayout, RecallPreset, SavePreset, DeletePreset, PauseTour,
              ResumeTour)
}


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
