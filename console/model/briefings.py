"""Briefings: ordered scenes (a preset plus what each tile shows), with notes and planned timing.

A scene's tiles are tile references, so a camera, a KPI tile's drill level and time range, a
document's page and an alert feed are all recalled exactly. Briefings live as JSON files in a
``briefings`` folder next to the site file, one file per briefing, written by the operator window.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

FORMAT = 1


class BriefingError(ValueError):
    """A briefing file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Scene:
    title: str
    layout: str
    tiles: tuple[str | None, ...]
    notes: str = ""  # speaker notes, shown on the presenter view only
    duration_s: float = 0.0  # planned; 0: no plan
    presenter: str = ""  # who speaks to it (the agenda shows it)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "layout": self.layout, "tiles": list(self.tiles)}
        if self.notes:
            out["notes"] = self.notes
        if self.duration_s:
            out["duration_s"] = self.duration_s
        if self.presenter:
            out["presenter"] = self.presenter
        return out


@dataclass(frozen=True)
class Briefing:
    name: str  # the file's stem: unique, stable
    title: str
    scenes: tuple[Scene, ...] = ()
    freeze: bool = False  # hold KPI values at the start time ("as of" freeze) by default
    path: Path | None = field(default=None, compare=False)

    @property
    def planned_s(self) -> float:
        return sum(s.duration_s for s in self.scenes)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "title": self.title, "freeze": self.freeze,
                "scenes": [s.to_dict() for s in self.scenes]}

    # -- editing: each returns a new briefing -------------------------------------------------
    def with_scene(self, scene: Scene, at: int | None = None) -> Briefing:
        scenes = list(self.scenes)
        scenes.insert(len(scenes) if at is None else max(0, min(at, len(scenes))), scene)
        return replace(self, scenes=tuple(scenes))

    def moved(self, index: int, to: int) -> Briefing:
        scenes = list(self.scenes)
        scene = scenes.pop(index)
        scenes.insert(max(0, min(to, len(scenes))), scene)
        return replace(self, scenes=tuple(scenes))

    def without(self, index: int) -> Briefing:
        return replace(self, scenes=self.scenes[:index] + self.scenes[index + 1:])

    def edited(self, index: int, **changes: Any) -> Briefing:
        scenes = list(self.scenes)
        scenes[index] = replace(scenes[index], **changes)
        return replace(self, scenes=tuple(scenes))


def format_duration(seconds: float) -> str:
    """A presenter's timer: 4:12, or 1:02:03 past an hour (whole seconds, rounded down)."""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def slug(title: str) -> str:
    """A file name from a title: Vietnamese letters without marks, lower case, dashes."""
    text = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "briefing"


def parse_briefing(name: str, data: Any, layouts: Mapping[str, int], where: str) -> Briefing:
    """Check a briefing's JSON form. ``layouts``: layout name -> tile count."""
    if not isinstance(data, dict):
        raise BriefingError(f"{where}: the file must hold a JSON object, not {type(data).__name__}")
    title = data.get("title", name)
    scenes_raw = data.get("scenes", [])
    if not isinstance(title, str) or not isinstance(scenes_raw, list):
        raise BriefingError(f"{where}: 'title' must be text and 'scenes' a list")
    scenes = []
    for n, raw in enumerate(scenes_raw, start=1):
        at = f"{where}: scene {n}"
        if not isinstance(raw, dict):
            raise BriefingError(f"{at}: must be an object")
        layout = raw.get("layout")
        if not isinstance(layout, str) or layout not in layouts:
            raise BriefingError(f"{at}: unknown layout {layout!r} (known: {', '.join(sorted(layouts))})")
        tiles = raw.get("tiles", [])
        if not isinstance(tiles, list) or not all(t is None or isinstance(t, str) for t in tiles):
            raise BriefingError(f"{at}: 'tiles' must be a list of source references or null")
        if len(tiles) > layouts[layout]:
            raise BriefingError(f"{at}: {len(tiles)} tiles given, layout {layout!r} has {layouts[layout]}")
        tiles = tiles + [None] * (layouts[layout] - len(tiles))
        try:
            duration = float(raw.get("duration_s", 0) or 0)
        except (TypeError, ValueError):
            raise BriefingError(f"{at}: duration_s must be a number of seconds") from None
        if duration < 0:
            raise BriefingError(f"{at}: duration_s must not be negative")
        texts = {k: raw.get(k, "") for k in ("title", "notes", "presenter")}
        if not all(isinstance(v, str) for v in texts.values()):
            raise BriefingError(f"{at}: title, notes and presenter must be text")
        scenes.append(Scene(texts["title"] or f"{n}", layout, tuple(tiles), texts["notes"], duration,
                            texts["presenter"]))
    return Briefing(name, title, tuple(scenes), bool(data.get("freeze", False)))


def load_briefings(folder: Path, layouts: Mapping[str, int]) -> tuple[dict[str, Briefing], list[str]]:
    """Every ``*.json`` in ``folder``: the good ones, and one message per bad file (which and why)."""
    found: dict[str, Briefing] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.json")):
        where = f"{folder.name}/{path.name}"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{where}: cannot be read: {exc}")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: line {exc.lineno}, column {exc.colno}: {exc.msg}")
            continue
        try:
            found[path.stem] = replace(parse_briefing(path.stem, data, layouts, where), path=path)
        except BriefingError as exc:
            problems.append(str(exc))
    return found, problems


def save_briefing(folder: Path, briefing: Briefing) -> Path:
    """Write atomically (a half-written file would lose the briefing if the machine stops)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{briefing.name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


@dataclass(frozen=True)
class BriefingRun:
    """A briefing being presented: which scene, since when, paused or not. Runtime only."""

    run_id: int
    briefing: str
    index: int  # 0-based scene shown
    started_at: float  # wall clock
    scene_started_at: float
    paused_at: float | None = None
    paused_s: float = 0.0  # paused time in this scene so far
    total_paused_s: float = 0.0
    as_of: float | None = None  # KPI values held at this time (the freeze)

    def scene_elapsed(self, now: float) -> float:
        end = self.paused_at if self.paused_at is not None else now
        return max(0.0, end - self.scene_started_at - self.paused_s)

    def elapsed(self, now: float) -> float:
        end = self.paused_at if self.paused_at is not None else now
        return max(0.0, end - self.started_at - self.total_paused_s - self.paused_s)
