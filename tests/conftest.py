"""Shared fixtures: a simulated 3x2 wall + operator screen set, the qasync loop, a running console."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCREENS_3X2 = FIXTURES / "screens_3x2.json"
DEMO_SITE = ROOT / "resources" / "sites" / "demo.toml"

# Qt reads the platform once, when the QApplication is made: every test in this session sees
# six wall screens and an operator screen. Tests of other screen sets run main.py in a subprocess.
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS_3X2}"


@pytest.fixture(scope="session")
def _session_loop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the session, marked running, driven by Qt's event processing."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    yield loop
    loop.stop()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def qloop(_session_loop, qtbot) -> Iterator[asyncio.AbstractEventLoop]:
    """The qasync loop; tasks a test leaves behind are cancelled at its end."""
    # Other tests run plain asyncio loops: the qasync loop counts as running only inside Qt tests.
    asyncio.events._set_running_loop(_session_loop)
    asyncio.set_event_loop(_session_loop)
    yield _session_loop
    pending = [t for t in asyncio.all_tasks(_session_loop) if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=5000)
    asyncio.events._set_running_loop(None)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def gst() -> None:
    """GStreamer's RTSP server must run for the camera tests; in CI a missing one fails, never skips."""
    from tests.servers.rtsp import gst_available

    ok, why = gst_available()
    if not ok:
        if in_ci():
            pytest.fail(f"the GStreamer RTSP server cannot run, and CI must not skip: {why} (run bash .ci/setup)")
        pytest.skip(f"GStreamer RTSP server not available here: {why} (run bash .ci/setup)")


def run_coro(qtbot, coro, timeout_ms: int = 10000):
    """Run a coroutine on the qasync loop and wait for its result while Qt processes events."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


@pytest.fixture
def registry():
    from connectors.registry import discover

    return discover()


@pytest.fixture
def demo_site(registry):
    from console.site import load_site

    return load_site(DEMO_SITE, registry.types, registry.broken)


@pytest.fixture
def make_console(qtbot, qloop, tmp_path, registry):
    """Build and start a Console; stops it (and checks for leftovers) at the end of the test."""
    from console.qt.runtime import Console

    made: list[Console] = []
    threads_before = {t.ident for t in threading.enumerate()}

    def make(site, reg=None, **kwargs):
        kwargs.setdefault("control_port", 0)
        kwargs.setdefault("language", "en")
        console = Console(site, reg or registry, tmp_path / f"console{len(made)}.db", "tester", **kwargs)
        made.append(console)
        run_coro(qtbot, console.start())
        return console

    yield make
    for console in made:
        run_coro(qtbot, console.stop())

    # A stopped console's windows are deleted, not just hidden: hidden ones would pile up and every
    # later language change would still retranslate them.
    import shiboken6

    windows = [w for c in made for w in (c.operator, c.presenter) if w is not None]
    try:
        qtbot.waitUntil(lambda: not any(shiboken6.isValid(w) for w in windows), timeout=5000)
    except Exception:
        raise AssertionError("a stopped console left its windows alive") from None

    def leftovers() -> list[str]:
        # (a test RTSP server started again after a crash has a new stdout reader: the fixture's, not the console's)
        return [t.name for t in threading.enumerate() if t.ident not in threads_before and t.is_alive()
                and not t.name.startswith("rtsp-server-")]

    try:
        qtbot.waitUntil(lambda: not leftovers(), timeout=5000)
    except Exception:
        raise AssertionError(f"threads left running after the console stopped: {leftovers()}") from None
