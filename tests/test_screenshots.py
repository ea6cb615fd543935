"""End to end through main.py, as a person starts it: screenshots of the demo, the laptop case, --check.

Each run is its own process, so each can have its own simulated screens; the pictures are read back
with QImage and checked for what a person would see in them.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "main.py"
SCREENS_3X2 = Path(__file__).resolve().parent / "fixtures" / "screens_3x2.json"
DEMO_SITE = ROOT / "resources" / "sites" / "demo.toml"
SCALE = 0.5
ROAD = QColor(72, 70, 70)  # the demo cameras' road, BGR (70, 70, 72) in connectors/demo/pictures.py


def run_main(tmp_path: Path, platform: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = platform
    env.setdefault("QT_QPA_FONTDIR", "/usr/share/fonts/truetype")
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("IOC_CONTROL_TOKEN", None)
    cmd = [sys.executable, str(MAIN), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def screenshot_args(tmp_path: Path, out: Path, *extra: str) -> list[str]:
    return ["--screenshot", str(out), "--db", str(tmp_path / "console.db"), "--control-port", "0",
            "--operator", "tester", *extra]


def report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit code {result.returncode}\nstdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"


def load(path: Path) -> QImage:
    assert path.is_file(), f"{path.name} was not written"
    img = QImage(str(path))
    assert not img.isNull(), f"{path.name} is not a readable picture"
    return img


def sample(img: QImage, x0: float, y0: float, x1: float, y1: float, step: int = 3) -> list[QColor]:
    xs = range(math.ceil(x0), math.floor(x1), step)
    return [img.pixelColor(x, y) for y in range(math.ceil(y0), math.floor(y1), step) for x in xs]


def near(c: QColor, ref: QColor, tol: int = 2) -> bool:
    return max(abs(c.red() - ref.red()), abs(c.green() - ref.green()), abs(c.blue() - ref.blue())) <= tol


def is_flat(img: QImage) -> bool:
    colours = {img.pixel(x, y) for y in range(0, img.height(), 7) for x in range(0, img.width(), 7)}
    return len(colours) < 10


def scaled_tile(site, layout_name: str, index: int, scale: float) -> tuple[float, float, float, float]:
    """A tile's rectangle on the wall picture (x0, y0, x1, y1), from the layout and the wall's grid lines."""
    geometry = site.wall.geometry()
    layout = site.layouts[layout_name]
    r = geometry.tile_rect(layout, index)
    return r.x * scale, r.y * scale, r.right * scale, r.bottom * scale


def test_demo_screenshots_show_the_start_preset_on_the_3x2_wall(tmp_path, demo_site):
    out = tmp_path / "shots"
    result = run_main(tmp_path, f"offscreen:configfile={SCREENS_3X2}",
                      *screenshot_args(tmp_path, out, "--screenshot-scale", str(SCALE)))
    assert result.returncode == 0, report(result)
    assert "wall.png" in result.stdout and "operator.png" in result.stdout

    wall = load(out / "wall.png")
    geometry = demo_site.wall.geometry()
    assert (wall.width(), wall.height()) == (round(geometry.width * SCALE), round(geometry.height * SCALE))

    # the start preset "Giám sát chung" on layout "ops": tile 1 is camera 1, a real moving picture
    start = next(p for p in demo_site.presets if p.name == demo_site.wall.start_preset)
    assert start.layout == "ops" and start.tiles[0] == "demo/cam-01"
    x0, y0, x1, y1 = scaled_tile(demo_site, "ops", 0, SCALE)
    inner = sample(wall, x0 + 4, y0 + 4, x1 - 4, y1 - 4)
    distinct = {c.rgb() for c in inner}
    assert len(distinct) > 50, f"tile 1 has only {len(distinct)} colours: a placeholder, not a picture"
    road = sum(near(c, ROAD) for c in inner)
    assert road > len(inner) // 10, f"the road grey is on {road} of {len(inner)} sampled pixels of tile 1"

    # tile 7 is an indicator: big light digits on the dark tile
    assert start.tiles[6].startswith("kpi/")
    x0, y0, x1, y1 = scaled_tile(demo_site, "ops", 6, SCALE)
    kpi = sample(wall, x0 + 2, y0 + 2, x1 - 2, y1 - 2, step=1)
    bright = sum(min(c.red(), c.green(), c.blue()) > 200 for c in kpi)
    assert bright > 100, f"tile 7 shows only {bright} bright text pixels"
    assert not any(near(c, ROAD) for c in kpi[:: 7]), "tile 7 looks like a camera picture"

    # the bezel gaps between displays hide what is behind the frames: those columns are black
    # wherever a gap covers whole pixels of the picture (at small scales it may cover none)
    cols = sorted({(d.rect.x, d.rect.right) for d in geometry.displays})
    checked = 0
    for (_, right), (nxt, _) in zip(cols, cols[1:], strict=False):
        for x in range(math.ceil(right * SCALE), math.floor(nxt * SCALE)):
            column = [wall.pixelColor(x, y) for y in range(0, wall.height(), 5)]
            assert all(c == QColor(0, 0, 0) for c in column), f"bezel column x={x} is not black"
            checked += 1
    if (cols[1][0] - cols[0][1]) * SCALE >= 2:
        assert checked, "no bezel column checked although the gap is at least 2 px wide"

    operator = load(out / "operator.png")
    assert abs(operator.width() - 1600) <= 16 and abs(operator.height() - 900) <= 16, operator.size()
    assert not is_flat(operator)


def test_laptop_with_one_screen_shows_the_wall_in_a_scaled_window(tmp_path, demo_site):
    out = tmp_path / "shots"
    result = run_main(tmp_path, "offscreen", *screenshot_args(tmp_path, out, "--lang", "en", "-v"))
    assert result.returncode == 0, report(result)
    log = result.stdout + result.stderr
    assert "scaled window" in log, report(result)
    assert "WALL-1" in log, "the notice does not name the missing screens"
    assert demo_site.control_token() not in log, "the control token was written to the log"
    wall = load(out / "wall.png")
    geometry = demo_site.wall.geometry()
    assert (wall.width(), wall.height()) == (round(geometry.width * SCALE), round(geometry.height * SCALE))
    assert not is_flat(wall)
    assert not is_flat(load(out / "operator.png"))


@pytest.mark.parametrize(("old", "new", "field"), [
    ("rows = 2\n", 'rows = "two"\n', "wall.rows"),
    ("kpi_every_s = 2,", "kpi_every_s = 0,", "connectors[0].settings.kpi_every_s"),
])
def test_check_names_the_broken_file_and_field(tmp_path, old, new, field):
    text = DEMO_SITE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(i for i, t in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if new.strip() in t)
    result = run_main(tmp_path, "offscreen", str(broken), "--check")
    assert result.returncode == 2, report(result)
    assert str(broken) in result.stderr, report(result)
    assert field in result.stderr, report(result)
    assert f"line {line}" in result.stderr, report(result)


def test_check_accepts_the_demo_site(tmp_path):
    result = run_main(tmp_path, "offscreen", "--check")
    assert result.returncode == 0, report(result)
    assert "ok" in result.stdout
