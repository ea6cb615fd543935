"""The REST connector against a real HTTP server in this process (http.server on 127.0.0.1): good and bad
documents, a slow endpoint (the loop must stay responsive), HTTP errors and the bearer token."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.rest import RestConfig
from tests.kpi_support import KpiEnv, ticker

TOKEN = "tok-7Hq2-secret-Vx9"
SLOW_S = 3.0

GOOD = {"data": {"records": [
    {"name": "aqi", "ward": {"code": "HL"}, "ts": "2024-05-01T08:00:00+07:00", "stats": {"aqi": 57}},
    {"name": "aqi", "ward": {"code": "YM-CU"}, "ts": 1714525200, "stats": {"aqi": 64.5}},  # a former code
    {"name": "water_loss", "ward": {"code": "TT"}, "ts": "2024-05-01", "stats": {"aqi": "18.2"}},
]}, "generated": "2024-05-01T08:05:00+07:00"}

BAD_ITEMS = [
    {"indicator": "aqi", "unit": "HL", "time": 1714525200, "value": 50},
    {"indicator": "aqi", "unit": "TT", "time": 1714525200, "value": "abc"},  # item 1
    {"indicator": "aqi", "unit": "XX", "time": 1714525200, "value": 52},  # item 2
    "not an object",  # item 3
    {"indicator": "aqi", "unit": "YM", "time": 1714525200, "value": 53},
]


class KpiServer:
    """A real HTTP server on a free loopback port, each path one behaviour; every request must carry
    the bearer token (401 otherwise)."""

    def __init__(self) -> None:
        self.release = threading.Event()  # ends the slow handler at teardown
        self.auth_seen: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def send_json(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                auth = self.headers.get("Authorization", "")
                server.auth_seen.append(auth)
                if auth != f"Bearer {TOKEN}":
                    self.send_json(401, b'{"error": "unauthorized"}')
                    return
                path = self.path.partition("?")[0]
                if path == "/good":
                    self.send_json(200, json.dumps(GOOD).encode())
                elif path == "/bad-items":
                    self.send_json(200, json.dumps(BAD_ITEMS).encode())
                elif path == "/slow":
                    server.release.wait(SLOW_S)
                    try:
                        self.send_json(200, b"[]")
                    except OSError:
                        pass  # the client gave up long ago
                elif path == "/error":
                    self.send_json(500, b'{"error": "database down"}')
                elif path == "/malformed":
                    self.send_json(200, b'{"data": {"records": [1, 2,')
                elif path == "/not-a-list":
                    self.send_json(200, b'{"data": {"records": {"aqi": 5}}}')
                else:
                    self.send_json(404, b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="kpi-http",
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[KpiServer]:
    s = KpiServer()
    yield s
    s.close()


@pytest.fixture
def env() -> Iterator[KpiEnv]:
    e = KpiEnv()
    yield e
    e.close()


def config(url: str, **kwargs: Any) -> RestConfig:
    kwargs.setdefault("token", SecretStr(TOKEN))
    kwargs.setdefault("every_s", 0.2)
    kwargs.setdefault("timeout_s", 0.5)
    return RestConfig(url=url, **kwargs)


def test_good_document_with_nested_items_and_dotted_fields(env, server, caplog):
    caplog.set_level(logging.DEBUG)
    env.start("api", "rest", config(server.url("/good"), items="data.records", indicator_field="name",
                                    unit_field="ward.code", time_field="ts", value_field="stats.aqi"))
    env.wait_until(lambda: len(env.samples()) >= 3)
    first = {(s.indicator, s.unit, s.time, s.value) for s in env.batches[0].samples}
    assert first == {
        ("aqi", "HL", datetime(2024, 5, 1, 1, 0, tzinfo=UTC).timestamp(), 57.0),
        ("aqi", "YM", 1714525200.0, 64.5),
        ("water_loss", "TT", datetime(2024, 5, 1).timestamp(), 18.2),
    }
    env.wait_until(lambda: len(env.batches) >= 3, what="more polls")  # the document is read again each poll
    assert env.last("api").state == "ok" and env.last("api").detail == ""
    assert set(server.auth_seen) == {f"Bearer {TOKEN}"}
    assert TOKEN not in caplog.text


def test_fixed_indicator_overrides_the_field(env, server):
    env.start("api", "rest", config(server.url("/good"), items="data.records", indicator="revenue",
                                    unit_field="ward.code", time_field="ts", value_field="stats.aqi"))
    env.wait_until(lambda: len(env.samples()) >= 3)
    assert {s.indicator for s in env.samples()} == {"revenue"}


def test_bad_items_are_reported_by_index_and_good_ones_published(env, server):
    env.start("api", "rest", config(server.url("/bad-items")))
    env.wait_until(lambda: env.samples() and env.last("api").detail, what="values and a status")
    assert {(s.unit, s.value) for s in env.batches[0].samples} == {("HL", 50.0), ("YM", 53.0)}
    detail = env.last("api").detail
    assert "item 1: value: 'abc' is not a number" in detail
    assert "item 2: unit: 'XX' is not a unit code of this site" in detail
    assert "item 3: expected an object, got text" in detail
    assert env.last("api").state == "ok"
    assert env.rejected("api") >= 3


@pytest.mark.parametrize(("path", "expected"), [
    ("/error", "GET http://127.0.0.1:{port}/error: HTTP 500"),
    ("/malformed", "GET http://127.0.0.1:{port}/malformed: not JSON (line 1 column 28: Expecting value)"),
    ("/not-a-list", "GET http://127.0.0.1:{port}/not-a-list: 'data.records' is not a list (it is an object)"),
], ids=["http-500", "malformed-json", "not-a-list"])
def test_a_bad_endpoint_is_retrying_with_a_clear_error(env, server, path, expected):
    env.start("api", "rest", config(server.url(path), items="data.records"))
    env.wait_until(lambda: env.last("api").state == "retrying")
    assert expected.format(port=server.port) in env.last("api").last_error
    assert "\n" not in env.last("api").last_error
    assert env.samples() == []


def test_a_slow_endpoint_times_out_and_the_loop_stays_responsive(env, server):
    gaps: list[float] = []
    tick = env.loop.create_task(ticker(gaps)())
    try:
        env.start("api", "rest", config(server.url("/slow"), timeout_s=0.4))
        env.wait_until(lambda: env.last("api").state == "retrying" and env.last("api").attempt >= 2,
                       timeout=5)
    finally:
        tick.cancel()
        env.run_until_complete(asyncio.gather(tick, return_exceptions=True))
    error = env.last("api").last_error
    assert error == f"TimeoutError: GET http://127.0.0.1:{server.port}/slow: no complete answer within 0.4 s"
    assert len(gaps) > 20
    assert max(gaps) < 0.5, f"the loop froze for {max(gaps):.3f} s"


def test_a_refused_connection_is_retrying(env):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nobody listens there
    env.start("api", "rest", config(f"http://127.0.0.1:{port}/kpi"))
    env.wait_until(lambda: env.last("api").state == "retrying")
    expected = f"ConnectionError: GET http://127.0.0.1:{port}/kpi: connection refused"
    assert env.last("api").last_error == expected


def test_the_token_is_checked_and_never_shown(env, server, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-tok-Bb31-secret"
    env.start("api", "rest", config(server.url("/good"), token=SecretStr(wrong), items="data.records"))
    env.wait_until(lambda: env.last("api").state == "retrying")
    assert env.last("api").last_error == (
        f"ConnectionError: GET http://127.0.0.1:{server.port}/good: HTTP 401: check the token")
    assert f"Bearer {wrong}" in server.auth_seen
    env.stop()
    # Credentials in the URL are masked as well, and its query (an API key, often) is left out.
    env.start("api2", "rest", config(f"http://user:{wrong}@127.0.0.1:{server.port}/good?key={TOKEN}",
                                     items="data.records"))
    env.wait_until(lambda: env.last("api2").state == "retrying")
    assert f"GET http://***@127.0.0.1:{server.port}/good?…: HTTP 401" in env.last("api2").last_error
    env.stop()
    for secret in (TOKEN, wrong):
        assert not [t for name in ("api", "api2") for t in env.texts(name) if secret in t]
        assert secret not in caplog.text
