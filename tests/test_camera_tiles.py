"""RTSP cameras on a running Console (pytest-qt): pictures on the wall, one decoder per stream however many
tiles show it, hidden views stop decoding, main/sub stream by tile size without a black gap, tours that skip
an offline camera, and a clean shutdown (no thread, child process or socket left).

A 1x1 wall (WALL-1 of the session's simulated screens) and a real GStreamer RTSP server in a child process
(tests/servers/rtsp.py) with small pictures to keep the CPU low.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from console.commands import ApplyLayout, RecallPreset
from console.media.hub import MediaHub
from tests.servers.rtsp import RtspServer

MAIN = {"width": 640, "height": 360, "fps": 25, "gop": 25, "bitrate": 400}
SUB = {"width": 320, "height": 180, "fps": 25, "gop": 25, "bitrate": 200}
MOUNTS = [
    {"path": "/cam1", **MAIN},
    {"path": "/cam1s", **SUB},
    {"path": "/cam2", **MAIN, "pattern": "smpte"},
    {"path": "/cam2s", **SUB, "pattern": "smpte"},
]
WAIT_MS = 10000


def run_coro(qtbot, coro, timeout_ms: int = 10000):
    """Run a coroutine on the qasync loop (the qloop fixture's) while Qt processes events."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


@pytest.fixture(scope="module")
def server(gst) -> Iterator[RtspServer]:
    with RtspServer(MOUNTS) as srv:
        yield srv


@pytest.fixture
def fast_media(monkeypatch) -> None:
    """The Console's MediaHub with short retries (it is made in Console.__init__, and the cameras' sources are
    declared there too, so tiles acquire during start(): too early to set console.media.retry_* afterwards).
    """
    import console.qt.runtime as runtime
    monkeypatch.setattr(runtime, "MediaHub", functools.partial(MediaHub, retry_base_s=0.2, retry_cap_s=1.0))


def site_toml(server: RtspServer, presets: str, tours: str = "", offline: bool = False) -> str:
    cams = [
        f'{{ id = "cam1", name = "Camera 1", main = "{server.url("/cam1")}", sub = "{server.url("/cam1s")}" }}',
        f'{{ id = "cam2", name = "Camera 2", main = "{server.url("/cam2")}", sub = "{server.url("/cam2s")}" }}',
    ]
    if offline:
        cams.append(f'{{ id = "gone", name = "Offline camera", main = "{server.url("/no-such-camera")}" }}')
    cameras = ",\n  ".join(cams)
    return f"""
name = "Camera tiles test"
language = "en"

[wall]
rows = 1
cols = 1
resolution = [1920, 1080]
screens = ["WALL-1"]
default_layout = "1x1"
start_preset = "start"

[operator]
screen = "OPERATOR"

[control]
enabled = false

[[connectors]]
name = "cams"
type = "cameras"

[connectors.settings]
timeout_s = 1.0
cameras = [
  {cameras}
]
{presets}
{tours}
"""


def load(tmp_path: Path, registry, text: str):
    from console.site import load_site

    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return load_site(path, registry.types, registry.broken)


def preset(layout: str, tiles: list[str], name: str = "start") -> str:
    quoted = ", ".join(f'"{t}"' for t in tiles)
    return f'\n[[presets]]\nname = "{name}"\nlayout = "{layout}"\ntiles = [{quoted}]\n'


def live(view, index: int) -> bool:
    feed = view.feeds.get(index)
    return feed is not None and feed.frame() is not None


def pixels(image: QImage) -> np.ndarray:
    """A QImage as an H x W x 3 uint8 array (BGR), copied."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=bpl * h).reshape(h, bpl // 4, 4)
    return buf[:, :w, :3].copy()


def tile_pixels(view, index: int = 0) -> np.ndarray:
    rect = view._tile_device_rect(index).toRect().adjusted(4, 4, -4, -4)
    return pixels(view.grab(rect).toImage())


def keys(console) -> set[str]:
    return set(console.media.decoders())


# --- 8. a picture on the wall ---------------------------------------------------------------------------
def test_camera_tile_on_the_wall_shows_a_moving_picture(qtbot, make_console, registry, tmp_path, server,
                                                        fast_media):
    site = load(tmp_path, registry, site_toml(server, preset("1x1", ["cams/cam1"])))
    console = make_console(site)
    assert sorted(console.wall.windows) == ["D11"]
    wall = console.wall.windows["D11"]
    assert wall.isVisible() and wall.screen().name() == "WALL-1"
    qtbot.waitUntil(lambda: live(wall, 0), timeout=WAIT_MS)
    feed = wall.feeds[0]
    assert feed.source.id == "cams/cam1" and feed.role == "main"  # 1080 px high: the main stream
    assert feed.info.state == "live" and (feed.info.width, feed.info.height) == (640, 360)
    qtbot.waitUntil(lambda: feed.seq > 2, timeout=WAIT_MS)
    first = tile_pixels(wall)
    # A picture, not a flat tile or a message: the ball on black fills most of it, in many shades.
    assert first.std() > 20, first.std()
    assert len(np.unique(first.reshape(-1, 3)[::7], axis=0)) > 20
    # And it moves: a later grab of the same tile differs.
    def moved() -> bool:
        return np.abs(tile_pixels(wall).astype(np.int16) - first.astype(np.int16)).max() > 60

    qtbot.waitUntil(moved, timeout=5000)
    assert console.operator.miniature.isVisible()
    qtbot.waitUntil(lambda: live(console.operator.miniature, 0), timeout=WAIT_MS)


# --- 9. one decoder per stream ------------------------------------------------------------------------
def test_one_camera_on_many_tiles_is_decoded_once_per_stream(qtbot, make_console, registry, tmp_path, server,
                                                             fast_media):
    tiles = ["cams/cam1", "cams/cam1", "cams/cam1", "cams/cam2"]
    site = load(tmp_path, registry, site_toml(server, preset("2x2", tiles)))
    console = make_console(site)
    wall, mini = console.wall.windows["D11"], console.operator.miniature
    qtbot.waitUntil(lambda: all(live(wall, i) and live(mini, i) for i in range(4)), timeout=WAIT_MS)
    cam1, cam2 = console.store.sources["cams/cam1"], console.store.sources["cams/cam2"]
    # The wall's tiles are 540 px high (main stream), the miniature's well under 400 px (sub-stream).
    assert all(wall.feeds[i].role == "main" for i in range(4)), [wall.feeds[i].size for i in range(4)]
    assert all(mini.feeds[i].role == "sub" for i in range(4)), [mini.feeds[i].size for i in range(4)]
    # Eight camera tiles, four streams, four decoders: one per URL.
    decoders = console.media.decoders()
    assert set(decoders) == {cam1.main.key, cam1.sub.key, cam2.main.key, cam2.sub.key}
    urls = [d.spec.url for d in decoders.values()]
    assert len(urls) == len(set(urls)) == 4
    assert console.media.users(cam1.main) == 3 and console.media.users(cam1.sub) == 3
    assert console.media.users(cam2.main) == 1 and console.media.users(cam2.sub) == 1
    # The three cam1 tiles of a view paint the one picture of their stream.
    assert len({id(wall.feeds[i].current) for i in range(3)}) == 3  # a handle each ...
    assert len({wall.feeds[i].current._entry.slot for i in range(3)}) == 1  # ... on one slot
    threads = [t.name for t in threading.enumerate() if t.name.startswith("decode ")]
    assert sorted(threads) == sorted(f"decode {url}" for url in urls)


# --- 10. hidden views stop decoding --------------------------------------------------------------------
def console_with_miniature(qtbot, make_console, registry, tmp_path, server):
    site = load(tmp_path, registry, site_toml(server, preset("2x2", ["cams/cam1", "cams/cam2"])))
    console = make_console(site)
    wall, mini = console.wall.windows["D11"], console.operator.miniature
    qtbot.waitUntil(lambda: all(live(wall, i) and live(mini, i) for i in range(2)), timeout=WAIT_MS)
    cam1, cam2 = console.store.sources["cams/cam1"], console.store.sources["cams/cam2"]
    subs = {cam1.sub.key, cam2.sub.key}  # only the miniature's small tiles use the sub-streams
    mains = {cam1.main.key, cam2.main.key}  # the wall's 540 px tiles use the main streams
    assert keys(console) == subs | mains
    return console, wall, mini, subs, mains


def test_hiding_the_operator_window_stops_the_miniatures_streams(qtbot, make_console, registry, tmp_path, server,
                                                                  fast_media):
    console, wall, mini, subs, mains = console_with_miniature(qtbot, make_console, registry, tmp_path, server)
    sub_decoders = [console.media.decoders()[k] for k in subs]
    console.operator.hide()
    qtbot.waitUntil(lambda: not mini.isVisible(), timeout=2000)
    assert mini.feeds == {}
    assert keys(console) == mains, "a hidden miniature must not keep its streams"
    qtbot.waitUntil(lambda: not any(d.alive for d in sub_decoders), timeout=5000)
    seq = wall.feeds[0].seq
    qtbot.waitUntil(lambda: wall.feeds[0].seq > seq, timeout=5000)  # the wall plays on


def test_minimising_the_operator_window_stops_the_miniatures_streams(qtbot, make_console, registry, tmp_path,
                                                                     server, fast_media):
    console, wall, mini, subs, mains = console_with_miniature(qtbot, make_console, registry, tmp_path, server)
    console.operator.showMinimized()
    qtbot.waitUntil(lambda: console.operator.isMinimized(), timeout=2000)
    qtbot.waitUntil(lambda: keys(console) == mains, timeout=2000)
    seq = wall.feeds[1].seq
    qtbot.waitUntil(lambda: wall.feeds[1].seq > seq, timeout=5000)


def test_showing_the_operator_window_again_brings_the_miniatures_pictures_back(qtbot, make_console, registry,
                                                                               tmp_path, server, fast_media):
    console, wall, mini, subs, mains = console_with_miniature(qtbot, make_console, registry, tmp_path, server)
    console.operator.hide()
    qtbot.waitUntil(lambda: keys(console) == mains, timeout=2000)
    console.operator.show()
    qtbot.waitUntil(lambda: mini.isVisible(), timeout=2000)
    try:
        qtbot.waitUntil(lambda: all(live(mini, i) for i in range(2)), timeout=4000)
    except Exception:
        raise AssertionError(f"no pictures in the re-shown miniature; it holds {sorted(mini.feeds)}") from None
    assert keys(console) == subs | mains
    assert {mini.feeds[i].role for i in range(2)} == {"sub"}
    # The same after minimising and restoring.
    console.operator.showMinimized()
    qtbot.waitUntil(lambda: keys(console) == mains, timeout=2000)
    console.operator.showNormal()
    qtbot.waitUntil(lambda: all(live(mini, i) for i in range(2)), timeout=4000)


# --- 11. main/sub by size, no black gap ----------------------------------------------------------------
def test_layout_change_switches_main_and_sub_without_a_black_gap(qtbot, make_console, registry, tmp_path, server,
                                                                 fast_media):
    site = load(tmp_path, registry, site_toml(server, preset("1x1", ["cams/cam1"])))
    console = make_console(site)
    wall = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(wall, 0), timeout=WAIT_MS)
    feed = wall.feeds[0]
    cam1 = console.store.sources["cams/cam1"]
    assert feed.role == "main" and feed.size[1] >= 1000

    def switch(layout: str, role: str) -> None:
        ticks: list[bool] = []
        assert console.execute(ApplyLayout(layout=layout), "tester", "test").ok

        def switched() -> bool:
            # At every look, the tile has a picture to paint: the old stream's until the new one delivers.
            ticks.append(wall.feeds.get(0) is feed and feed.frame() is not None)
            return feed.role == role and feed.previous is None and feed.current.frame() is not None

        qtbot.waitUntil(switched, timeout=WAIT_MS)
        assert all(ticks), f"{ticks.count(False)} of {len(ticks)} looks found no picture while switching"
        assert feed.current.spec == (cam1.sub if role == "sub" else cam1.main)

    switch("4x4", "sub")  # 1080 / 4 = 270 px: the sub-stream
    assert feed.size[1] < 400
    assert feed.info.width == 320  # the sub-stream's own size
    switch("1x1", "main")
    assert feed.info.width == 640
    # Right after a switch the tile still paints a picture (not the "Connecting…" message on a flat tile).
    assert console.execute(ApplyLayout(layout="4x4"), "tester", "test").ok
    qtbot.waitUntil(lambda: feed.role == "sub", timeout=2000)
    grab = tile_pixels(wall)
    assert grab.std() > 20 and len(np.unique(grab.reshape(-1, 3)[::7], axis=0)) > 20


# --- 12. tours skip an offline camera ------------------------------------------------------------------
TOUR = """
[[tours]]
name = "Patrol"
steps = [
  { camera = "cams/cam1", dwell_s = 3 },
  { camera = "cams/gone", dwell_s = 2 },
  { camera = "cams/cam2", dwell_s = 3 },
]
"""


def test_tour_advances_and_skips_the_offline_camera(qtbot, make_console, registry, tmp_path, server, fast_media):
    site = load(tmp_path, registry, site_toml(server, preset("1x1", ["tour/Patrol"]), TOUR, offline=True))
    console = make_console(site)
    wall = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: console.tours.position(0) is not None, timeout=5000)
    cameras: list[str | None] = []
    skipped: set[str] = set()
    shown: list[str] = []

    def look() -> bool:
        pos = console.tours.position(0)
        if not cameras or cameras[-1] != pos.camera:
            cameras.append(pos.camera)
        skipped.update(pos.skipped)
        feed = wall.feeds.get(0)
        if feed is not None and feed.frame() is not None and (not shown or shown[-1] != feed.source.id):
            shown.append(feed.source.id)
        return cameras[-3:] == ["cams/cam1", "cams/cam2", "cams/cam1"]

    qtbot.waitUntil(look, timeout=15000)
    assert "cams/gone" not in cameras, cameras
    assert "cams/gone" in skipped
    assert console.tours.position(0).steps == 3
    # The wall tile followed the tour with pictures of each camera.
    qtbot.waitUntil(lambda: look() and shown[-1] == "cams/cam1", timeout=WAIT_MS)
    assert "cams/cam2" in shown and "cams/gone" not in shown


# --- 13. closing leaves nothing behind -----------------------------------------------------------------
def children_of(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.add(int(entry))
    return out


def connections_to(port: int) -> list[str]:
    """This process's ESTABLISHED TCP connections to 127.0.0.1:`port` (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        return [f"{c.laddr} -> {c.raddr}" for c in psutil.Process().net_connections(kind="tcp")
                if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED]
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, remote, state, inode = parts[1], parts[2], parts[3], parts[9]
            if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port and inode in inodes:
                found.append(f"{local} -> {remote}")
    return found


def test_closing_the_console_leaves_no_thread_process_or_socket(qtbot, make_console, registry, tmp_path, server,
                                                                 fast_media):
    site = load(tmp_path, registry, site_toml(server, preset("2x2", ["cams/cam1", "cams/cam2"])))
    children_before = children_of(os.getpid())
    assert server.pid in children_before
    console = make_console(site)
    wall, mini = console.wall.windows["D11"], console.operator.miniature
    qtbot.waitUntil(lambda: all(live(wall, i) and live(mini, i) for i in range(2)), timeout=WAIT_MS)
    assert len(connections_to(server.port)) >= 4  # the check sees the live streams' connections
    decoders = list(console.media.decoders().values())

    run_coro(qtbot, console.stop())
    assert console.media.decoders() == {}
    assert not any(d.alive for d in decoders)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("decode ")]
    assert children_of(os.getpid()) - children_before == set(), "a child process outlived the console"
    assert server.pid in children_of(os.getpid())
    qtbot.waitUntil(lambda: not connections_to(server.port), timeout=3000)
    # (make_console stops it again at teardown, which must be harmless, and checks that no thread is left.)


def test_console_start_preset_recall_plays_cameras(qtbot, make_console, registry, tmp_path, server, fast_media):
    """A preset recalled by command brings cameras onto the wall and drops the ones no longer shown."""
    presets = preset("1x1", ["cams/cam1"]) + preset("1x1", ["cams/cam2"], name="other")
    site = load(tmp_path, registry, site_toml(server, presets))
    console = make_console(site)
    wall = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(wall, 0), timeout=WAIT_MS)
    cam1 = console.store.sources["cams/cam1"]
    assert console.execute(RecallPreset(preset="other"), "tester", "test").ok
    qtbot.waitUntil(lambda: live(wall, 0) and wall.feeds[0].source.id == "cams/cam2", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not ({cam1.main.key, cam1.sub.key} & keys(console)), timeout=5000)


def test_tour_switch_on_a_big_wall_tile_shows_the_next_camera_at_once(qtbot, make_console, registry, tmp_path,
                                                                      server, fast_media):
    """tours.py: "The next camera's stream is opened a little before its turn, so the switch is instant"."""
    tour = '\n[[tours]]\nname = "Pair"\nsteps = [{ camera = "cams/cam1", dwell_s = 3 }, { camera = "cams/cam2", dwell_s = 3 }]\n'
    site = load(tmp_path, registry, site_toml(server, preset("1x1", ["tour/Pair"]), tour))
    console = make_console(site)
    wall = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(wall, 0), timeout=WAIT_MS)
    assert wall.feeds[0].source.id == "cams/cam1" and wall.feeds[0].role == "main"
    looks: list[tuple[str, bool]] = []

    def look() -> bool:
        feed = wall.feeds.get(0)
        if feed is not None:
            looks.append((feed.source.id, feed.frame() is not None))
        return feed is not None and feed.source.id == "cams/cam2" and feed.frame() is not None

    qtbot.waitUntil(look, timeout=WAIT_MS)
    blank = [sid for sid, has in looks if not has]
    assert not blank, f"the tile had no picture for {len(blank)} looks after the tour moved to {blank[0]}"


def test_cameras_connector_health_is_ok_while_its_cameras_play(qtbot, make_console, registry, tmp_path, server,
                                                               monkeypatch):

    site = load(tmp_path, registry, site_toml(server, preset("1x1", ["cams/cam1"])))
    console = make_console(site)  # the product's CamerasConnector.run, not fast_media's
    wall = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(wall, 0) and "cams" in console.store.health, timeout=WAIT_MS)
    health = console.store.health["cams"]
    runner = console.supervisor.runners["cams"]
    qtbot.waitUntil(lambda: runner.state == "ok", timeout=5000)
    assert (health.state, health.last_error) == ("ok", ""), "what the health view shows for the cameras connector"


def test_closing_while_the_cameras_connector_restarts_does_not_hang(qloop, qtbot, registry, tmp_path, server):
    """Supervisor.stop() called in the very step in which a connector's stop() returns (here: from inside it,
    the moment a console closing during a connector restart meets)."""
    from console.bus import Bus
    from console.supervisor import Supervisor

    site = load(tmp_path, registry, site_toml(server, preset("1x1", ["cams/cam1"])))
    supervisor = Supervisor(Bus(), registry, [("cams", "cameras", True)], site.connector_configs,
                            retry_base_s=0.05, retry_cap_s=0.1)
    runner = supervisor.runners["cams"]
    connector = runner.connector
    stopping: list[asyncio.Task] = []

    async def run() -> None:
        raise ConnectionError("backend lost")  # the supervisor stops the connector, then retries

    async def stop() -> None:
        if not stopping:
            stopping.append(asyncio.ensure_future(supervisor.stop()))  # cancels _supervise in this step

    connector.run, connector.stop = run, stop
    supervisor.start()
    qtbot.waitUntil(lambda: bool(stopping), timeout=5000)
    try:
        qtbot.waitUntil(stopping[0].done, timeout=2000)
    except Exception:
        raise AssertionError(f"Supervisor.stop() hangs; the connector is {runner.state!r} again") from None
    finally:
        if not stopping[0].done():  # get rid of the stuck task: cancel until it gives in
            qtbot.waitUntil(lambda: runner.task.cancel() and False or runner.task.done(), timeout=2000)
            qtbot.waitUntil(stopping[0].done, timeout=2000)
    assert runner.task.cancelled()
