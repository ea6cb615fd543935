"""The site file (TOML): wall, operator screen, connectors, units, layouts, presets; validated whole."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from console.model.geometry import Bezel, WallGeometry, wall_geometry
from console.model.kpi import PERIODS, Indicator, KpiRef, KpiRefError, is_kpi_ref
from console.model.sources import AdminUnit
from console.model.tours import Tour, TourStep
from console.model.wall import Preset
from layouts.grid import BUILTIN_LAYOUTS, Layout, LayoutError, layout_from_spec


class SiteError(Exception):
    """The site file cannot be used; the message names the file, the place and what was expected."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{self.path}: " + ("\n  " if len(problems) > 1 else "") + "\n  ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BezelSpec(_Strict):
    left: float = Field(0.0, ge=0, le=100, title="Left bezel", json_schema_extra={"unit": "mm"})
    right: float = Field(0.0, ge=0, le=100, title="Right bezel", json_schema_extra={"unit": "mm"})
    top: float = Field(0.0, ge=0, le=100, title="Top bezel", json_schema_extra={"unit": "mm"})
    bottom: float = Field(0.0, ge=0, le=100, title="Bottom bezel", json_schema_extra={"unit": "mm"})


class WallSpec(_Strict):
    rows: int = Field(ge=1, le=8, title="Rows of displays")
    cols: int = Field(ge=1, le=12, title="Columns of displays")
    resolution: tuple[int, int] = Field((1920, 1080), title="Pixels of one display")
    diagonal_in: float = Field(55.0, gt=5, le=150, title="Display diagonal", json_schema_extra={"unit": "in"})
    bezel_mm: BezelSpec = Field(default_factory=BezelSpec)
    bezel_compensation: bool = True
    screens: list[str] = Field(title="Screen name per display, row by row")
    default_layout: str = "2x2"
    start_preset: str = ""
    # Text and strokes on the wall grow with the tiles; this multiplies them for a far audience
    # (1.0 reads at about 5 m on 55" panels; 1.3 at 8 m).
    text_scale: float = Field(1.0, ge=0.5, le=3.0, title="Wall text scale")

    @model_validator(mode="after")
    def _screens_fill_the_grid(self) -> WallSpec:
        if len(self.screens) != self.rows * self.cols:
            raise ValueError(
                f"a {self.rows}x{self.cols} wall needs {self.rows * self.cols} screen names, got {len(self.screens)}"
            )
        dupes = sorted({s for s in self.screens if self.screens.count(s) > 1})
        if dupes:
            raise ValueError(f"screen used by more than one display: {', '.join(dupes)}")
        return self

    def active_mm(self) -> tuple[float, float]:
        w, h = self.resolution
        diag_mm = self.diagonal_in * 25.4
        scale = diag_mm / (w * w + h * h) ** 0.5
        return w * scale, h * scale

    def geometry(self) -> WallGeometry:
        b = self.bezel_mm
        return wall_geometry(
            self.rows,
            self.cols,
            display_names(self.rows, self.cols),
            self.resolution,
            self.active_mm(),
            Bezel(b.left, b.right, b.top, b.bottom),
            compensate=self.bezel_compensation,
        )


class OperatorSpec(_Strict):
    screen: str = ""


class ControlSpec(_Strict):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    token: SecretStr | None = None


class ConnectorSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    type: str
    enabled: bool = True
    settings: dict[str, Any] = {}


class UnitSpec(_Strict):
    code: str
    name: str
    level: str
    parent: str = ""
    # Codes this unit had before a merger (or of the units merged into it): values still reported
    # under them land here.
    formerly: list[str] = []


class IndicatorSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str = Field(min_length=1, title="Name (Vietnamese)")
    name_en: str = ""
    unit: str = Field("", title="Unit of measure")
    domain: str = "other"
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"
    target: float | None = None
    warning: float | None = None
    critical: float | None = None
    decimals: int = Field(0, ge=0, le=6)
    period: str = Field("live", title="live, or one value per hour/day/week/month/quarter/year")
    stale_after_s: float = Field(600.0, gt=0, le=400 * 86400, json_schema_extra={"unit": "s"})
    rollup: Literal["", "sum", "mean"] = ""

    @model_validator(mode="after")
    def _sane(self) -> IndicatorSpec:
        if self.period not in PERIODS:
            raise ValueError(f"period {self.period!r} is not one of {', '.join(PERIODS)}")
        if self.warning is not None and self.critical is not None:
            worse = self.critical >= self.warning if self.direction == "lower_is_better" else \
                self.critical <= self.warning
            if not worse:
                raise ValueError(
                    f"critical ({self.critical:g}) must be beyond warning ({self.warning:g}) for an indicator "
                    f"where {'lower' if self.direction == 'lower_is_better' else 'higher'} is better")
        return self

    def indicator(self) -> Indicator:
        return Indicator(self.id, self.name, self.name_en, self.unit, self.domain,
                         self.direction == "higher_is_better", self.target, self.warning, self.critical,
                         self.decimals, self.period, self.stale_after_s, self.rollup)


class CellSpec(_Strict):
    row: int = Field(ge=0)
    col: int = Field(ge=0)
    rowspan: int = Field(1, ge=1)
    colspan: int = Field(1, ge=1)


class LayoutSpec(_Strict):
    name: str
    title: str = ""
    rows: int = Field(ge=1, le=16)
    cols: int = Field(ge=1, le=16)
    cells: list[CellSpec] = []


class PresetSpec(_Strict):
    name: str
    layout: str
    tiles: list[str] = []  # "" leaves a tile empty


class AlertsSpec(_Strict):
    alarm_tile: int = Field(0, ge=0, le=64, title="Alarm tile", description="0: no alarm-to-wall")
    alarm_hold_s: float = Field(120.0, ge=5, le=3600, title="Alarm shown for", json_schema_extra={"unit": "s"})
    sound: bool = True
    volume: float = Field(0.8, ge=0, le=1)
    quiet_hours: str = Field("", pattern=r"^$|^\d{2}:\d{2}-\d{2}:\d{2}$", title="Quiet hours (HH:MM-HH:MM)")
    quiet_volume: float = Field(0.3, ge=0, le=1)


class TourStepSpec(_Strict):
    camera: str = Field(min_length=1, title="Camera source id")
    dwell_s: float = Field(10.0, ge=2, le=3600, title="Dwell time", json_schema_extra={"unit": "s"})


class TourSpec(_Strict):
    name: str = Field(min_length=1)
    steps: list[TourStepSpec] = Field(min_length=1)


class SiteSpec(_Strict):
    name: str
    language: Literal["vi", "en"] = "vi"
    wall: WallSpec
    operator: OperatorSpec = Field(default_factory=OperatorSpec)
    control: ControlSpec = Field(default_factory=ControlSpec)
    units: list[UnitSpec] = []
    indicators: list[IndicatorSpec] = []
    connectors: list[ConnectorSpec] = []
    layouts: list[LayoutSpec] = []
    presets: list[PresetSpec] = []
    tours: list[TourSpec] = []
    alerts: AlertsSpec = Field(default_factory=AlertsSpec)


def display_names(rows: int, cols: int) -> list[str]:
    return [f"D{r + 1}{c + 1}" for r in range(rows) for c in range(cols)]


@dataclass(frozen=True)
class Site:
    """A validated site: everything the console needs to start, nothing half-configured."""

    path: Path
    spec: SiteSpec
    layouts: Mapping[str, Layout]
    presets: tuple[Preset, ...]
    connector_configs: Mapping[str, Any]  # connector name -> validated config object
    units: tuple[AdminUnit, ...]
    tours: tuple[Tour, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    formerly: Mapping[str, str] = field(default_factory=dict)  # old unit code -> today's unit

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def wall(self) -> WallSpec:
        return self.spec.wall

    def control_token(self) -> str | None:
        tok = self.spec.control.token
        return tok.get_secret_value() if tok else None


_ENV_SUFFIX = "_env"


def _resolve_env(node: Any, path: str, problems: list[str]) -> Any:
    """``foo_env = "NAME"`` stands for ``foo = $NAME``, so secrets need not be written in the file."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not (key.endswith(_ENV_SUFFIX) and isinstance(value, str)):
                out[key] = _resolve_env(value, f"{path}.{key}" if path else key, problems)
        # The environment wins over a value written in the file, whatever the order of the keys.
        for key, value in node.items():
            if key.endswith(_ENV_SUFFIX) and isinstance(value, str):
                target = key[: -len(_ENV_SUFFIX)]
                if value in os.environ:
                    out[target] = os.environ[value]
                elif target not in node:
                    problems.append(f"{path + '.' if path else ''}{key}: environment variable {value} is not set")
        return out
    if isinstance(node, list):
        return [_resolve_env(v, f"{path}[{i}]", problems) for i, v in enumerate(node)]
    return node


def loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of the value at ``loc``: the table header, then the key below it."""
    lines = text.splitlines()
    start = 0
    keys = [p for p in loc if isinstance(p, str)]
    if not keys:
        return None
    head = keys[0]
    index = next((p for p in loc[1:2] if isinstance(p, int)), None)
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(head)}\s*\]\]?\s*(#.*)?$")
    found = [i for i, line in enumerate(lines) if header.match(line)]
    if index is not None and index < len(found):
        start = found[index]
    elif found:
        start = found[0]
    else:
        key = re.compile(rf"^\s*{re.escape(head)}\s*=")
        hit = next((i for i, line in enumerate(lines) if key.match(line)), None)
        return None if hit is None else hit + 1
    for key_name in reversed(keys[1:]):
        pat = re.compile(rf"^\s*{re.escape(key_name)}\s*=|[{{,]\s*{re.escape(key_name)}\s*=")
        for i in range(start, len(lines)):
            if i > start and lines[i].lstrip().startswith("[") and not lines[i].lstrip().startswith("[" + head):
                break
            if pat.search(lines[i]):
                return i + 1
    return start + 1


def _format_validation(text: str, err: ValidationError, prefix: tuple[Any, ...] = ()) -> list[str]:
    problems = []
    for e in err.errors():
        loc = prefix + tuple(e["loc"])
        line = _find_line(text, loc)
        where = loc_to_path(loc) or "(top level)"
        if line:
            where = f"line {line}: {where}"
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (a typo?)"
        got = e.get("input")
        if e["type"] not in ("missing",) and not isinstance(got, dict | list) and got is not None:
            msg += f" (got {got!r})"
        problems.append(f"{where}: {msg}")
    return problems


def load_site(path: str | Path, connector_types: Mapping[str, Any], broken_types: Mapping[str, str] = {}) -> Site:
    """Read and validate a site file. Raises SiteError listing every problem found.

    ``connector_types`` maps a type name to its connector class (its ``Config`` validates the
    settings); ``broken_types`` maps type names whose plugin failed to load to the reason, so a
    site naming one still starts and shows that connector as failed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SiteError(path, [f"cannot read the file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise SiteError(path, [f"not UTF-8 text (byte {exc.start})"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteError(path, [f"not valid TOML: {exc}"]) from None

    problems: list[str] = []
    raw = _resolve_env(raw, "", problems)
    if problems:
        raise SiteError(path, problems)
    try:
        spec = SiteSpec.model_validate(raw)
    except ValidationError as exc:
        raise SiteError(path, _format_validation(text, exc)) from None

    layouts: dict[str, Layout] = dict(BUILTIN_LAYOUTS)
    for i, ls in enumerate(spec.layouts):
        try:
            layouts[ls.name] = layout_from_spec(
                ls.name, ls.rows, ls.cols, [c.model_dump() for c in ls.cells], ls.title
            )
        except LayoutError as exc:
            problems.append(f"layouts[{i}]: {exc}")
    if spec.wall.default_layout not in layouts:
        problems.append(
            f"wall.default_layout: no layout named {spec.wall.default_layout!r} (known: {', '.join(layouts)})"
        )

    configs: dict[str, Any] = {}
    seen_names: set[str] = set()
    for i, cs in enumerate(spec.connectors):
        if cs.name in seen_names:
            problems.append(f"connectors[{i}].name: {cs.name!r} is used by another connector")
        seen_names.add(cs.name)
        if cs.type in broken_types:
            configs[cs.name] = None  # shown as failed at start, with the plugin's error
            continue
        cls = connector_types.get(cs.type)
        if cls is None:
            known = ", ".join(sorted(set(connector_types) | set(broken_types))) or "none installed"
            problems.append(f"connectors[{i}].type: unknown connector type {cs.type!r} (known: {known})")
            continue
        try:
            configs[cs.name] = cls.Config.model_validate(cs.settings)
        except ValidationError as exc:
            problems.extend(_format_validation(text, exc, ("connectors", i, "settings")))

    codes = {u.code for u in spec.units}
    formerly: dict[str, str] = {}
    for i, u in enumerate(spec.units):
        if u.parent and u.parent not in codes:
            problems.append(f"units[{i}].parent: no unit with code {u.parent!r}")
        for old in u.formerly:
            if old in codes:
                problems.append(f"units[{i}].formerly: {old!r} is a unit of today, not a former code")
            elif old in formerly:
                problems.append(f"units[{i}].formerly: {old!r} is already taken over by {formerly[old]!r}")
            else:
                formerly[old] = u.code
    indicator_ids: set[str] = set()
    for i, ind in enumerate(spec.indicators):
        if ind.id in indicator_ids:
            problems.append(f"indicators[{i}].id: {ind.id!r} is used by another indicator")
        indicator_ids.add(ind.id)

    presets = []
    for i, ps in enumerate(spec.presets):
        if ps.layout not in layouts:
            problems.append(f"presets[{i}].layout: no layout named {ps.layout!r} (known: {', '.join(layouts)})")
            continue
        if len(ps.tiles) > layouts[ps.layout].tile_count:
            problems.append(
                f"presets[{i}].tiles: {len(ps.tiles)} sources for layout {ps.layout!r}, "
                f"which has {layouts[ps.layout].tile_count} tiles"
            )
            continue
        for k, tile in enumerate(ps.tiles):
            if not is_kpi_ref(tile):
                continue
            try:
                ref = KpiRef.parse(tile)
            except KpiRefError as exc:
                problems.append(f"presets[{i}].tiles[{k}]: {exc}")
                continue
            if ref.indicator not in indicator_ids:
                problems.append(f"presets[{i}].tiles[{k}]: no indicator {ref.indicator!r}")
            if ref.unit and ref.unit not in codes:
                problems.append(f"presets[{i}].tiles[{k}]: no unit with code {ref.unit!r}")
        presets.append(Preset(ps.name, ps.layout, tuple(t or None for t in ps.tiles), origin="site"))

    if spec.wall.start_preset and spec.wall.start_preset not in {p.name for p in presets}:
        problems.append(f"wall.start_preset: no preset named {spec.wall.start_preset!r}")
    if problems:
        raise SiteError(path, problems)
    units = tuple(AdminUnit(u.code, u.name, u.level, u.parent) for u in spec.units)
    tours = tuple(Tour(t.name, tuple(TourStep(s.camera, s.dwell_s) for s in t.steps)) for t in spec.tours)
    indicators = tuple(ind.indicator() for ind in spec.indicators)
    return Site(path, spec, layouts, tuple(presets), configs, units, tours, indicators, formerly)
