"""The WebSocket and MQTT alert connectors against real servers: a websockets server in this process
and Debian's Mosquitto. Each test wires a real Bus, AlertService (SQLite in tmp_path) and Supervisor
on its own plain asyncio loop, as tests/test_supervisor.py does."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import paho.mqtt.publish as mqtt_publish
import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from connectors.mqtt_alerts import MqttAlertsConfig, MqttAlertsConnector
from connectors.registry import discover
from connectors.ws_alerts import WsAlertsConfig, WsAlertsConnector
from console.alerts.service import AlertService
from console.bus import Bus
from console.messages import ConnectorHealthChanged
from console.model.alerts import Alert, Severity
from console.supervisor import Supervisor
from tests.servers.mosquitto import Mosquitto, require_mosquitto

T = TypeVar("T")
TOKEN = "tok-3f9a1c77e2b54d0e"
MQTT_PASSWORD = "mqtt-pw-8c21d0aa"


def alert(key: str, severity: str = "major", domain: str = "traffic", cameras: tuple[str, ...] = ("cam-01",),
          **extra: Any) -> dict[str, Any]:
    return {"key": key, "severity": severity, "domain": domain, "title": f"Alert {key}", "text": "details",
            "unit": "Q1", "location": "Nguyen Hue / Le Loi", "cameras": list(cameras), **extra}


# -- the world of one test -------------------------------------------------------------------

class Env:
    """One loop, bus, alert writer (SQLite in tmp_path) and supervisor per test."""

    def __init__(self, db_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.bus = Bus()
        self.db_path = db_path
        self.health: list[ConnectorHealthChanged] = []
        self.bus.subscribe(ConnectorHealthChanged, self.health.append)
        self.published: list[Alert] = []  # appended on the writer thread, after each commit
        self.service = AlertService(db_path, publish=lambda alerts, silences: self.published.extend(alerts))
        self.service.start()
        self.supervisor: Supervisor | None = None

    def run_until_complete(self, aw: Awaitable[T]) -> T:
        # tests/conftest.py keeps one qasync loop marked as running once a Qt test has used it;
        # step it aside while this test's own loop runs, then put it back.
        outer = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        try:
            return self.loop.run_until_complete(aw)
        finally:
            asyncio.events._set_running_loop(outer)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return self.run_until_complete(asyncio.wait_for(coro, timeout))

    def start(self, name: str, type_name: str, config: Any) -> Supervisor:
        # The connectors come from the installed entry points, as in the console.
        sup = Supervisor(self.bus, discover(), [(name, type_name, True)], {name: config},
                         retry_base_s=0.05, retry_cap_s=0.3, alerts=self.service)
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
                    raise AssertionError(f"timed out after {timeout:g} s waiting for {what or predicate}")
                await asyncio.sleep(0.01)

        self.run_until_complete(poll())

    def stored_keys(self) -> set[str]:
        return {a.key for a in list(self.published)}

    def book(self) -> dict[str, Alert]:
        assert self.service.flush(), "the alert writer did not answer"
        return {a.key: a for a in self.service.book.alerts.values()}

    def states(self, name: str) -> list[str]:
        out: list[str] = []
        for h in self.health:
            if h.connector == name and (not out or out[-1] != h.state):
                out.append(h.state)
        return out

    def last(self, name: str) -> ConnectorHealthChanged:
        return [h for h in self.health if h.connector == name][-1]

    def rejected(self, name: str) -> int:
        assert self.supervisor is not None
        ctx = self.supervisor.runners[name].ctx
        assert ctx is not None
        return ctx.rejected

    def close(self) -> None:
        try:
            if self.supervisor is not None:
                self.run(self.supervisor.stop())
                self.supervisor = None
            self.run_until_complete(asyncio.sleep(0))  # let closed transports finish
            left = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            assert left == [], f"tasks left running: {left}"
        finally:
            self.service.stop()
            self.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path / "a.db")
    yield e
    e.close()


# -- a WebSocket alert feed ------------------------------------------------------------------

class FeedServer:
    """The backend side: pushes messages to the console and records its acks (and the token it sent)."""

    def __init__(self, env: Env, token: str = TOKEN) -> None:
        self.env = env
        self.token = token
        self.port = 0
        self.server: Server | None = None
        self.connections: list[ServerConnection] = []
        self.refused = 0
        self.acks: list[dict[str, Any]] = []
        self.on_ack: Callable[[dict[str, Any]], None] | None = None
        # The server's own DEBUG log shows request headers, the token included: keep it quiet.
        self.logger = logging.getLogger("tests.alert_feed_server")
        self.logger.setLevel(logging.WARNING)

    def _check_token(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            self.refused += 1
            return connection.respond(401, "bad token\n")
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        self.connections.append(ws)
        async for raw in ws:
            msg = json.loads(raw)
            if self.on_ack is not None:
                self.on_ack(msg)
            self.acks.append(msg)

    def start(self) -> None:
        async def go() -> Server:
            return await serve(self._handler, "127.0.0.1", self.port, process_request=self._check_token,
                               logger=self.logger)

        self.server = self.env.run(go())
        self.port = self.server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            server.close()
            self.env.run(server.wait_closed())

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/feed?site=demo"

    def open_connections(self) -> list[ServerConnection]:
        return [c for c in self.connections if c.close_code is None]

    def send(self, message: Any) -> None:
        """Send to the console's (one) live connection: a dict/list as JSON, a str as is."""
        self.env.wait_until(lambda: len(self.open_connections()) == 1, what="the console connected")
        ws = self.open_connections()[0]
        self.env.run(ws.send(message if isinstance(message, str) else json.dumps(message)))

    def ack_for(self, msg_id: str, timeout: float = 5.0) -> dict[str, Any]:
        self.env.wait_until(lambda: any(a.get("ack") == msg_id for a in self.acks), timeout,
                            what=f"the ack for {msg_id}")
        found = [a for a in self.acks if a.get("ack") == msg_id]
        assert len(found) == 1, found
        return found[0]


@pytest.fixture
def feed(env: Env) -> Iterator[FeedServer]:
    server = FeedServer(env)
    server.start()
    yield server
    server.stop()


def start_ws(env: Env, feed: FeedServer, name: str = "citizen", token: str = TOKEN) -> Supervisor:
    config = WsAlertsConfig(url=feed.url, token=token, ping_interval_s=5, open_timeout_s=2)
    sup = env.start(name, "ws_alerts", config)
    assert isinstance(sup.runners[name].connector, WsAlertsConnector)
    return sup


# -- (1) good alerts arrive -----------------------------------------------------------------

def test_ws_alerts_arrive_with_their_fields(env, feed):
    start_ws(env, feed)
    env.wait_until(lambda: env.last("citizen").state == "ok", what="connector ok")
    assert env.states("citizen") == ["starting", "ok"]

    feed.send(alert("fire-7", severity="critical", domain="emergency", cameras=("cam-07", "cam-08"),
                    time=1_760_000_000_000))  # one alert, no id: no ack
    feed.send({"id": "batch-1", "alerts": [alert("jam-1", severity="minor"), alert("gate-2", domain="security")]})
    env.wait_until(lambda: env.stored_keys() >= {"fire-7", "jam-1", "gate-2"}, what="three alerts stored")

    book = env.book()
    fire = book["fire-7"]
    assert (fire.source, fire.severity, fire.domain, fire.title) == ("citizen", Severity.CRITICAL, "emergency",
                                                                      "Alert fire-7")
    assert fire.cameras == ("cam-07", "cam-08")
    assert fire.first_time == 1_760_000_000.0  # milliseconds in the feed
    assert (fire.unit, fire.location, fire.text) == ("Q1", "Nguyen Hue / Le Loi", "details")
    assert book["jam-1"].severity == Severity.MINOR and book["jam-1"].domain == "traffic"
    assert book["gate-2"].severity == Severity.MAJOR and book["gate-2"].domain == "security"
    assert book["gate-2"].cameras == ("cam-01",)

    assert feed.ack_for("batch-1") == {"ack": "batch-1", "accepted": 2, "rejected": 0}
    assert len(feed.acks) == 1  # the single alert had no id, so no ack
    assert env.rejected("citizen") == 0


# -- (2) bad items are rejected one by one, the connection survives ------------------------------

def test_ws_bad_items_are_rejected_and_the_good_ones_kept(env, feed, caplog):
    caplog.set_level(logging.WARNING, logger="connectors.citizen")
    start_ws(env, feed)
    env.wait_until(lambda: env.last("citizen").state == "ok", what="connector ok")

    missing_key = alert("x")
    del missing_key["key"]
    feed.send({"id": "m1", "alerts": [alert("a1"), missing_key, alert("a2")]})
    feed.send({"id": "m2", "alerts": [alert("b1"), alert("b2", severity="urgent"), alert("b3")]})
    feed.send({"id": "m3", "alerts": [alert("c1"), {**alert("c2"), "cameras": "cam-01"}, alert("c3")]})
    assert feed.ack_for("m1") == {"ack": "m1", "accepted": 2, "rejected": 1}
    assert feed.ack_for("m2") == {"ack": "m2", "accepted": 2, "rejected": 1}
    assert feed.ack_for("m3") == {"ack": "m3", "accepted": 2, "rejected": 1}
    assert env.rejected("citizen") == 3

    feed.send('{"key": ')  # cut short
    feed.send("[1, 2]")
    feed.send({"id": "all-bad", "alerts": [{"key": "k", "severity": "major"}]})
    assert feed.ack_for("all-bad") == {"ack": "all-bad", "accepted": 0, "rejected": 1}
    feed.send({"id": "after", "alerts": [alert("d1")]})
    assert feed.ack_for("after") == {"ack": "after", "accepted": 1, "rejected": 0}

    book = env.book()
    assert set(book) == {"a1", "a2", "b1", "b3", "c1", "c3", "d1"}
    assert env.rejected("citizen") == 6
    assert env.service.rejected["citizen"] == 6
    # The connection survived all of it: one connection, never retried.
    assert len(feed.connections) == 1 and env.states("citizen") == ["starting", "ok"]

    logged = [r.getMessage() for r in caplog.records if r.name == "connectors.citizen"]
    assert all("rejected a payload" in m for m in logged) and len(logged) == 6, logged
    text = "\n".join(logged)
    assert "key: required field is missing" in text
    assert "severity: expected one of critical, major, minor, info, got 'urgent'" in text
    assert "cameras: expected a list of camera ids" in text
    assert "malformed JSON at line 1 column 9" in text
    assert "expected a JSON object" in text and "got list" in text
    assert "domain: required field is missing" in text


# -- (3) the ack comes only once the alerts are on disk ------------------------------------------

def test_ws_ack_comes_after_the_alerts_are_on_disk(env, feed):
    seen_on_disk: dict[str, set[str]] = {}

    def rows_now(ack: dict[str, Any]) -> None:  # in the server's handler, as the ack arrives
        with sqlite3.connect(env.db_path) as db:
            seen_on_disk[ack["ack"]] = {k for (k,) in db.execute("select key from alerts where source = 'citizen'")}

    feed.on_ack = rows_now
    start_ws(env, feed)
    env.wait_until(lambda: env.last("citizen").state == "ok", what="connector ok")
    assert env.service.flush()  # the writer is idle

    # Hold SQLite's write lock: the writer cannot commit, so no ack may come until it is released.
    blocker = sqlite3.connect(env.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        ctx = env.supervisor.runners["citizen"].ctx
        before = ctx.last_activity
        feed.send({"id": "slow", "alerts": [alert("s1"), alert("s2"), alert("s3")]})
        env.wait_until(lambda: ctx.last_activity > before, what="the alerts handed to the writer")
        with pytest.raises(AssertionError, match="timed out"):
            env.wait_until(lambda: bool(feed.acks), timeout=0.5, what="an early ack (there must be none)")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert feed.ack_for("slow") == {"ack": "slow", "accepted": 3, "rejected": 0}
    assert seen_on_disk["slow"] >= {"s1", "s2", "s3"}

    # And in the ordinary case too, message after message.
    for i in range(5):
        feed.send({"id": f"n{i}", "alerts": [alert(f"n{i}-a"), alert(f"n{i}-b")]})
    for i in range(5):
        feed.ack_for(f"n{i}")
        assert {f"n{i}-a", f"n{i}-b"} <= seen_on_disk[f"n{i}"]


# -- (4) the server goes away and comes back -------------------------------------------------------

def test_ws_reconnects_after_a_close_and_a_server_restart(env, feed, caplog):
    caplog.set_level(logging.INFO, logger="console.supervisor")
    start_ws(env, feed)
    env.wait_until(lambda: env.last("citizen").state == "ok", what="connector ok")

    # A normal close (1000) from the server is a disconnect too.
    env.run(feed.open_connections()[0].close(1000, "maintenance"))
    env.wait_until(lambda: env.states("citizen").count("ok") == 2, what="ok again after the close")
    retrying = next(h for h in env.health if h.state == "retrying")
    assert "ConnectionError" in retrying.last_error and "maintenance" in retrying.last_error
    feed.send({"id": "after-close", "alerts": [alert("r1")]})
    feed.ack_for("after-close")

    # The whole server goes down (attempts are refused), then comes back on the same port.
    feed.stop()
    env.wait_until(lambda: env.last("citizen").state == "retrying" and env.last("citizen").attempt >= 2,
                   what="retrying while the server is down")
    down = env.last("citizen").last_error
    assert f"ws://127.0.0.1:{feed.port}/feed" in down and "site=demo" not in down  # where, without the query
    assert "connect call failed" in down.lower() or "refused" in down.lower()
    feed.start()
    env.wait_until(lambda: env.last("citizen").state == "ok", what="ok after the restart")
    feed.send({"id": "after-restart", "alerts": [alert("r2", severity="critical")]})
    assert feed.ack_for("after-restart")["accepted"] == 1

    book = env.book()
    assert {"r1", "r2"} <= set(book) and book["r2"].severity == Severity.CRITICAL
    assert env.last("citizen").attempt == 0
    recovered = [r for r in caplog.records if r.name == "console.supervisor" and "recovered" in r.getMessage()]
    assert len(recovered) == 2  # once per outage


# -- (7) the token stays secret ----------------------------------------------------------------

def test_ws_token_is_never_logged_nor_shown(env, feed, caplog):
    caplog.set_level(logging.DEBUG)  # everything, websockets' header dumps included
    sup = start_ws(env, feed, name="good")
    env.wait_until(lambda: env.last("good").state == "ok", what="connector ok")
    feed.send({"id": "t1", "alerts": [alert("t1")]})
    feed.ack_for("t1")
    assert len(feed.connections) == 1 and feed.refused == 0  # the server saw the right bearer token
    debug_headers = [r for r in caplog.records if r.name == "connectors.good.websocket"
                     and "Authorization" in r.getMessage()]
    assert debug_headers and all("Bearer ***" in r.getMessage() for r in debug_headers)
    env.run(sup.stop())

    # A wrong token: refused with 401, shown as retrying with a hint, and still never logged.
    wrong = "wrong-" + TOKEN
    sup = start_ws(env, feed, name="bad", token=wrong)
    env.wait_until(lambda: env.last("bad").state == "retrying", what="refused")
    assert "HTTP 401" in env.last("bad").last_error and "token" in env.last("bad").last_error
    assert feed.refused >= 1

    config = sup.runners["bad"].connector.config
    for shown in (repr(config), str(config), config.model_dump_json(), repr(config.model_dump())):
        assert wrong not in shown and TOKEN not in shown
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert TOKEN not in text, (record.name, text)
    assert TOKEN not in "\n".join(h.last_error for h in env.health)


# -- MQTT ----------------------------------------------------------------------------------------

@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    require_mosquitto()
    with Mosquitto(tmp_path / "mosquitto") as b:
        yield b


def publish(broker: Mosquitto, topic: str, payload: Any, retain: bool = False) -> None:
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    mqtt_publish.single(topic, body, qos=1, retain=retain, hostname="127.0.0.1", port=broker.port)


def start_mqtt(env: Env, broker: Mosquitto, **settings: Any) -> Supervisor:
    config = MqttAlertsConfig(host="127.0.0.1", port=broker.port, username="console", password=MQTT_PASSWORD,
                              keepalive_s=10, **settings)
    sup = env.start("bus", "mqtt_alerts", config)
    assert isinstance(sup.runners["bus"].connector, MqttAlertsConnector)
    env.wait_until(lambda: env.last("bus").state == "ok", what="mqtt connector ok")
    return sup


# -- (5) alerts published to a topic arrive; bad ones are rejected ------------------------------

def test_mqtt_alerts_arrive_and_bad_payloads_are_rejected(broker, env, caplog):
    caplog.set_level(logging.DEBUG)
    sup = start_mqtt(env, broker)

    publish(broker, "ioc/alerts/emergency", alert("flood-3", severity="critical", domain="emergency",
                                                 cameras=("cam-11",)))
    publish(broker, "ioc/alerts/traffic/q1", [alert("m1"), alert("m2", severity="panic"), alert("m3")])
    publish(broker, "ioc/alerts/traffic/q1", "{not json")
    publish(broker, "ioc/alerts/traffic/q1", "42")
    publish(broker, "other/topic", alert("not-subscribed"))
    publish(broker, "ioc/alerts/last", alert("last"))
    env.wait_until(lambda: "last" in env.stored_keys(), what="the last alert stored")

    book = env.book()
    assert set(book) == {"flood-3", "m1", "m3", "last"}
    flood = book["flood-3"]
    assert (flood.source, flood.severity, flood.domain, flood.cameras) == ("bus", Severity.CRITICAL, "emergency",
                                                                           ("cam-11",))
    assert env.rejected("bus") == 3
    warnings = "\n".join(r.getMessage() for r in caplog.records if r.name == "connectors.bus")
    assert "severity: expected one of" in warnings and "'panic'" in warnings
    assert "malformed JSON at line 1 column 2" in warnings
    assert "got int" in warnings
    assert MQTT_PASSWORD not in "\n".join(r.getMessage() for r in caplog.records)
    # Every QoS 1 message was acknowledged, the rejected ones too (or the broker would stall).
    connector = sup.runners["bus"].connector
    env.wait_until(lambda: not connector._unacked, what="every message acknowledged")


def test_mqtt_retained_messages_are_not_replayed_as_new_alerts(broker, env):
    publish(broker, "ioc/alerts/old", alert("stale-retained"), retain=True)
    start_mqtt(env, broker, topics=["ioc/alerts/#", "ioc/extra/+/alerts"])
    env.wait_until(lambda: env.rejected("bus") == 1, what="the retained message rejected")
    publish(broker, "ioc/extra/q7/alerts", alert("live"))
    env.wait_until(lambda: "live" in env.stored_keys(), what="the live alert stored")
    assert "stale-retained" not in env.book()


# -- (6) the broker restarts -------------------------------------------------------------------

def test_mqtt_reconnects_after_a_broker_restart(broker, env):
    start_mqtt(env, broker)
    publish(broker, "ioc/alerts/x", alert("before"))
    env.wait_until(lambda: "before" in env.stored_keys(), what="alert before the restart")

    broker.stop()
    env.wait_until(lambda: env.last("bus").state == "retrying", what="retrying while the broker is down")
    assert "MQTT broker" in env.last("bus").last_error
    broker.start()  # same port
    env.wait_until(lambda: env.last("bus").state == "ok", what="ok after the restart")
    assert env.states("bus")[:3] == ["starting", "ok", "retrying"]

    publish(broker, "ioc/alerts/x", alert("after", severity="info"))
    env.wait_until(lambda: "after" in env.stored_keys(), what="alert after the restart")
    assert env.book()["after"].severity == Severity.INFO

    broker.restart()  # the helper's one-call restart, while connected
    env.wait_until(lambda: env.states("bus").count("ok") >= 3, what="ok after restart()")
    publish(broker, "ioc/alerts/x", alert("after-2"))
    env.wait_until(lambda: "after-2" in env.stored_keys(), what="alert after restart()")


def test_mqtt_persistent_session_keeps_alerts_while_the_console_is_away(broker, env):
    sup = start_mqtt(env, broker, client_id="ioc-console-test")
    env.run(sup.stop())  # the console goes away; the broker keeps its session and subscription
    publish(broker, "ioc/alerts/x", alert("while-away"))
    start_mqtt(env, broker, client_id="ioc-console-test")
    env.wait_until(lambda: "while-away" in env.stored_keys(), what="the alert queued by the broker")


def test_mqtt_puback_waits_until_the_alerts_are_on_disk(broker, env):
    """A console that goes away before its commit never acknowledged the message, so the broker
    sends it again (QoS 1, persistent session): at least once, never lost."""
    sup = start_mqtt(env, broker, client_id="ioc-console-ack")
    assert env.service.flush()
    blocker = sqlite3.connect(env.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the writer cannot commit
    try:
        ctx = sup.runners["bus"].ctx
        publish(broker, "ioc/alerts/x", alert("unsure"))
        env.wait_until(lambda: ctx.last_activity > 0, what="the alert handed to the writer")
        env.run(sup.stop())  # gone before the commit: no PUBACK went out
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    env.wait_until(lambda: "unsure" in env.stored_keys(), what="the first copy committed")

    start_mqtt(env, broker, client_id="ioc-console-ack")
    env.wait_until(lambda: env.book()["unsure"].count == 2, what="the broker's second delivery")
