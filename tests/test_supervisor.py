"""Connectors isolated by the Supervisor: health states, retries, logging once, broken plugins,
a clean stop and the stale check. A plain asyncio loop per test drives everything."""

from __future__ import annotations

import asyncio
import logging
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlite_utils
from pydantic import Field

from connectors.api import Connector, ConnectorConfig
from connectors.demo import DemoConfig, DemoConnector
from connectors.registry import Registry, discover
from console.bus import Bus
from console.messages import ConnectorHealthChanged, ValueReceived
from console.model.kpi import KpiSample
from console.site import load_site
from console.supervisor import Supervisor

T = TypeVar("T")
SUPERVISOR_LOG = "console.supervisor"
DEMO_SITE_TEXT = (Path(__file__).resolve().parents[1] / "resources" / "sites" / "demo.toml").read_text(
    encoding="utf-8")


# -- test connectors -----------------------------------------------------------------------

class FlakyConfig(ConnectorConfig):
    start_failures: int = Field(-1, title="Failures of start() before it works; -1: always")
    run_failures: int = Field(0, title="Failures of run() before it keeps running")


class Flaky(Connector):
    """Fails ``start`` or ``run`` a configured number of times, then runs quietly until cancelled."""

    Config = FlakyConfig
    kind = "flaky"

    def __init__(self, name: str, config: FlakyConfig, ctx) -> None:
        super().__init__(name, config, ctx)
        self.config: FlakyConfig = config
        self.starts = 0
        self.runs = 0
        self.stops = 0

    async def start(self) -> None:
        self.starts += 1
        if self.config.start_failures < 0 or self.starts <= self.config.start_failures:
            raise ConnectionRefusedError(f"backend refused (try {self.starts})")

    async def run(self) -> None:
        self.runs += 1
        if self.runs <= self.config.run_failures:
            await asyncio.sleep(0.01)
            raise RuntimeError("stream lost mid-run")
        await asyncio.Event().wait()

    async def stop(self) -> None:
        self.stops += 1


class Env:
    """One loop, bus, frame hub and registry per test; health messages are recorded."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.bus = Bus()
        self.registry = registry or Registry()
        self.registry.register("flaky", Flaky)
        self.registry.register("demo", DemoConnector)
        self.health: list[ConnectorHealthChanged] = []
        self.values: list[ValueReceived] = []
        self.bus.subscribe(ConnectorHealthChanged, self.health.append)
        self.bus.subscribe(ValueReceived, self.values.append)
        self.supervisor: Supervisor | None = None

    def run_until_complete(self, aw: Awaitable[T]) -> T:
        # tests/conftest.py keeps one qasync loop marked as running for the whole session once a
        # Qt test has used it; step it aside while this test's own loop runs, then put it back.
        outer = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        try:
            return self.loop.run_until_complete(aw)
        finally:
            asyncio.events._set_running_loop(outer)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return self.run_until_complete(asyncio.wait_for(coro, timeout))

    def start(self, specs: list[tuple[str, str, bool]], configs: dict[str, Any], units=(),
              **kwargs: Any) -> Supervisor:
        kwargs.setdefault("retry_base_s", 0.01)
        kwargs.setdefault("retry_cap_s", 0.05)
        sup = Supervisor(self.bus, self.registry, specs, configs, units, **kwargs)
        self.supervisor = sup

        async def go() -> None:
            sup.start()

        self.run(go())
        return sup

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
        async def poll() -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out waiting for {what or predicate}")
                await asyncio.sleep(0.01)

        self.run_until_complete(poll())

    def states(self, name: str) -> list[str]:
        """The connector's health states in order, a state repeated in a row counted once
        (start() announces "starting" before the connector's task announces it again)."""
        out: list[str] = []
        for h in self.health:
            if h.connector == name and (not out or out[-1] != h.state):
                out.append(h.state)
        return out

    def last(self, name: str) -> ConnectorHealthChanged:
        return [h for h in self.health if h.connector == name][-1]

    def stop(self) -> None:
        if self.supervisor is not None:
            self.run(self.supervisor.stop())
            self.supervisor = None

    def close(self) -> None:
        try:
            self.stop()
            left = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            assert left == [], f"tasks left running: {left}"
        finally:
            self.loop.close()


@pytest.fixture
def env() -> Iterator[Env]:
    e = Env()
    yield e
    e.close()


def supervisor_records(caplog, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == SUPERVISOR_LOG and r.levelno == level]


# -- (a) start keeps failing ---------------------------------------------------------------

def test_failing_start_retries_with_one_warning(env, caplog):
    caplog.set_level(logging.INFO, logger=SUPERVISOR_LOG)
    sup = env.start([("cams", "flaky", True)], {"cams": FlakyConfig()})
    env.wait_until(lambda: env.last("cams").attempt >= 4, what="four failed attempts")

    states = env.states("cams")
    assert states[0] == "starting"
    assert states[1] == "retrying"
    assert set(states) == {"starting", "retrying"}
    retrying = [h for h in env.health if h.connector == "cams" and h.state == "retrying"]
    assert [h.attempt for h in retrying][:4] == [1, 2, 3, 4]
    for h in retrying:
        assert h.kind == "flaky"
        assert "ConnectionRefusedError" in h.last_error and "backend refused" in h.last_error
        assert h.next_retry_s is not None and 0 < h.next_retry_s <= 0.05
        assert h.last_ok is None
    assert f"try {retrying[-1].attempt}" in retrying[-1].last_error

    warnings = supervisor_records(caplog, logging.WARNING)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "cams" in warnings[0].getMessage() and "backend refused" in warnings[0].getMessage()
    assert not supervisor_records(caplog, logging.ERROR)
    runner = sup.runners["cams"]
    assert runner.connector is not None and runner.connector.stops >= 4  # stop() after each failure


# -- (b) fails twice, then works ------------------------------------------------------------

def test_recovery_is_logged_once(env, caplog):
    caplog.set_level(logging.INFO, logger=SUPERVISOR_LOG)
    sup = env.start([("cams", "flaky", True)], {"cams": FlakyConfig(start_failures=2)})
    env.wait_until(lambda: env.last("cams").state == "ok", what="state ok")

    ok = env.last("cams")
    assert ok.attempt == 0 and ok.next_retry_s is None and ok.last_ok is not None
    assert env.states("cams") == ["starting", "retrying", "starting", "retrying", "starting", "ok"]
    assert [h.attempt for h in env.health if h.state == "retrying"] == [1, 2]
    infos = [r.getMessage() for r in supervisor_records(caplog, logging.INFO)]
    assert len([m for m in infos if "recovered" in m]) == 1
    assert "cams" in infos[0] and "2 failed attempts" in infos[0]
    assert len(supervisor_records(caplog, logging.WARNING)) == 1
    assert sup.runners["cams"].connector.starts == 3


# -- (c) run() raises mid-run ---------------------------------------------------------------

def test_run_failure_retries_then_recovers(env, caplog):
    caplog.set_level(logging.INFO, logger=SUPERVISOR_LOG)
    sup = env.start([("cams", "flaky", True)], {"cams": FlakyConfig(start_failures=0, run_failures=1)})
    env.wait_until(lambda: env.states("cams").count("ok") == 2, what="ok twice")

    assert env.states("cams") == ["starting", "ok", "retrying", "starting", "ok"]
    retrying = next(h for h in env.health if h.state == "retrying")
    assert retrying.attempt == 1
    assert "RuntimeError: stream lost mid-run" in retrying.last_error
    assert env.last("cams").attempt == 0
    assert sup.runners["cams"].connector.runs == 2
    assert len(supervisor_records(caplog, logging.WARNING)) == 1
    assert len([r for r in supervisor_records(caplog, logging.INFO) if "recovered" in r.getMessage()]) == 1


def test_run_that_returns_counts_as_a_lost_backend(env):
    class Quitter(Connector):
        kind = "quitter"

        async def run(self) -> None:
            return None

    env.registry.register("quitter", Quitter)
    env.start([("q", "quitter", True)], {"q": ConnectorConfig()})
    env.wait_until(lambda: env.last("q").state == "retrying")
    assert env.last("q").last_error == "the backend closed the connection"


# -- (d) the others keep working ------------------------------------------------------------

def test_demo_keeps_publishing_while_another_connector_fails(env, demo_site, tmp_path):
    db_path = tmp_path / "kpi.sqlite"
    env.start(
        [("cams", "flaky", True), ("demo", "demo", True)],
        {"cams": FlakyConfig(), "demo": DemoConfig(kpi_every_s=0.05, kpi_db=str(db_path))},
        demo_site.units,
    )

    def kpis() -> int:  # readings the demo's backend database holds
        if not db_path.exists():
            return 0
        db = sqlite_utils.Database(db_path)
        try:
            return db.execute("select count(*) from kpi_values").fetchone()[0]
        finally:
            db.close()

    env.wait_until(lambda: env.last("demo").state == "ok", what="demo ok")
    env.wait_until(lambda: env.last("cams").attempt >= 3, what="cams failing")
    after_failures = kpis()
    per_round = 2 * len(demo_site.units)  # two live indicators for every unit
    env.wait_until(lambda: kpis() >= after_failures + 3 * per_round, what="three more KPI rounds")
    assert env.last("cams").state in ("starting", "retrying")
    assert env.last("demo").state == "ok"
    assert set(env.states("demo")) == {"starting", "ok"}


# -- (e) a plugin that raises at import -----------------------------------------------------

@pytest.fixture
def broken_plugin(tmp_path, monkeypatch) -> Iterator[Path]:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "brokenplug.py").write_text('raise RuntimeError("brokenplug cannot find its driver")\n')
    dist = plugins / "brokenplug-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenplug\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[ioc_console.connectors]\nbroken = brokenplug:Thing\n")
    monkeypatch.syspath_prepend(str(plugins))
    yield plugins
    sys.modules.pop("brokenplug", None)


def test_broken_plugin_is_recorded_and_shown_failed(broken_plugin, tmp_path, caplog, demo_site):
    caplog.set_level(logging.ERROR, logger="connectors.registry")
    reg = discover()
    assert "broken" in reg.broken
    assert "RuntimeError" in reg.broken["broken"] and "brokenplug cannot find its driver" in reg.broken["broken"]
    assert "broken" not in reg.types
    assert reg.types["demo"] is DemoConnector
    assert len([r for r in caplog.records if "broken" in r.getMessage()]) == 1

    site_text = DEMO_SITE_TEXT + textwrap.dedent("""
        [[connectors]]
        name = "cctv"
        type = "broken"
        settings = { url = "rtsp://example" }
    """)
    site_path = tmp_path / "site.toml"
    site_path.write_text(site_text, encoding="utf-8")
    site = load_site(site_path, reg.types, reg.broken)
    assert site.connector_configs["cctv"] is None

    env = Env(reg)
    try:
        specs = [(c.name, c.type, c.enabled) for c in site.spec.connectors]
        sup = env.start(specs, dict(site.connector_configs), site.units, site_dir=tmp_path)
        assert sup.runners["cctv"].state == "failed"
        env.wait_until(lambda: env.last("demo").state == "ok", what="demo ok")
        failed = env.last("cctv")
        assert failed.state == "failed" and failed.kind == "broken"
        assert "plugin failed to load" in failed.last_error
        assert "brokenplug cannot find its driver" in failed.last_error
        assert env.states("cctv") == ["failed"]
    finally:
        env.close()


def test_connector_type_missing_from_the_registry_is_failed(env):
    sup = env.start([("x", "nothing", True), ("off", "flaky", False)], {"off": FlakyConfig()})
    assert "off" not in sup.runners
    assert env.last("x").state == "failed"
    assert "'nothing' is not installed" in env.last("x").last_error


def test_connector_failing_in_its_constructor_is_failed(env, caplog):
    class Bad(Connector):
        def __init__(self, name, config, ctx) -> None:
            raise ValueError("no such camera")

    env.registry.register("bad", Bad)
    caplog.set_level(logging.ERROR, logger=SUPERVISOR_LOG)
    env.start([("b", "bad", True)], {"b": ConnectorConfig()})
    assert env.last("b").state == "failed"
    assert env.last("b").last_error == "ValueError: no such camera"


# -- (f) stop -------------------------------------------------------------------------------

def test_stop_leaves_no_task_and_no_thread(demo_site):
    env = Env()
    try:
        sup = env.start(
            [("cams", "flaky", True), ("demo", "demo", True)],
            {"cams": FlakyConfig(), "demo": DemoConfig(kpi_every_s=0.05)},
            demo_site.units,
        )
        env.wait_until(lambda: env.last("demo").state == "ok", what="demo ok")
        demo = sup.runners["demo"].connector
        assert isinstance(demo, DemoConnector)
        # The demo connector's own thread (it makes the camera clips when the cache lacks them).
        clips_thread = demo._thread

        env.stop()
        assert clips_thread is None or not clips_thread.is_alive()
        assert demo._thread is None
        assert all(r.task is None or r.task.done() for r in sup.runners.values())
        assert [t for t in asyncio.all_tasks(env.loop) if not t.done()] == []
        assert sup.runners["cams"].connector.stops >= 1
    finally:
        env.close()


# -- (g) stale ------------------------------------------------------------------------------

def test_quiet_connector_turns_stale_and_back(env):
    sup = env.start([("quiet", "flaky", True)], {"quiet": FlakyConfig(start_failures=0, stale_after_s=0.2)})
    env.wait_until(lambda: env.last("quiet").state == "ok", what="ok")
    env.wait_until(lambda: env.last("quiet").state == "stale", timeout=4, what="stale")
    assert env.states("quiet") == ["starting", "ok", "stale"]

    ctx = sup.runners["quiet"].ctx
    assert ctx is not None

    async def chatter() -> None:  # a value every 50 ms, well within stale_after_s
        while True:
            ctx.publish_samples([KpiSample("x", "u", time.time(), 1.0)])
            await asyncio.sleep(0.05)

    talking = env.loop.create_task(chatter())
    try:
        env.wait_until(lambda: env.last("quiet").state == "ok", timeout=4, what="ok again")
    finally:
        talking.cancel()
        env.run_until_complete(asyncio.gather(talking, return_exceptions=True))
    assert env.states("quiet") == ["starting", "ok", "stale", "ok"]
