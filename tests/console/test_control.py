"""The websocket control API, end to end: a real store, database, server and client."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from console.bus import Bus
from console.commands import ApplyLayout
from console.control import ControlServer
from console.messages import SourcesChanged
from console.model.sources import Source, SourceKind
from console.persistence import AuditRecord, Database
from console.store import Store
from layouts.grid import BUILTIN_LAYOUTS

TOKEN = "s3cret"
REPLY_TIMEOUT = 2.0

T = TypeVar("T")


class Env:
    """One event loop, store and server per test; the test drives it with ``run``."""

    def __init__(self, tmp_path: Path, token: str | None, max_pending: int = 100) -> None:
        self.loop = asyncio.new_event_loop()
        self.bus = Bus()
        self.db = Database(tmp_path / "c.db")
        self.store = Store(self.bus, self.db, BUILTIN_LAYOUTS, "2x2")
        self.bus.publish(SourcesChanged("demo", (Source("demo/cam-01", SourceKind.CAMERA, "Cam 1", "demo"),)))
        self.server = ControlServer(self.store, token, port=0, max_pending=max_pending)
        self.run(self.server.start())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, 10))

    def close(self) -> None:
        try:
            self.run(self.server.stop())
            leftover = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            assert leftover == [], f"tasks left behind: {leftover}"
        finally:
            self.loop.close()
            self.db.stop()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}"

    def audit(self) -> list[AuditRecord]:
        assert self.db.flush()
        return self.db.audit_rows()


@pytest.fixture
def env(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    e = Env(tmp_path, TOKEN)
    request.addfinalizer(e.close)
    return e


async def recv_json(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT))


async def call(ws: ClientConnection, **request: Any) -> dict[str, Any]:
    await ws.send(json.dumps(request))
    return await recv_json(ws)


def test_binds_a_free_port_when_asked_for_port_0(env: Env) -> None:
    assert env.server.port != 0


def test_apply_layout_with_token_changes_the_wall_and_is_audited(env: Env) -> None:
    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            return await call(ws, id=7, token=TOKEN, command="apply_layout", args={"layout": "3x3"})

    reply = env.run(go())

    assert reply == {"id": 7, "ok": True, "version": env.store.state.version}
    assert env.store.state.layout.name == "3x3"
    row = env.audit()[-1]
    assert row.command == "apply_layout"
    assert row.args == {"layout": "3x3"}
    assert row.actor == "control:127.0.0.1"
    assert row.origin == "control-api"
    assert row.result == "applied"


def test_assign_source_uses_one_based_tiles(env: Env) -> None:
    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            return await call(ws, id="a", token=TOKEN, command="assign_source",
                              args={"tile": 1, "source": "demo/cam-01"})

    assert env.run(go())["ok"] is True
    assert env.store.state.tiles[0] == "demo/cam-01"


@pytest.mark.parametrize(
    "token", [None, "wrong", "s3cret ", 12345, ""], ids=["missing", "wrong", "near-miss", "not-a-string", "empty"]
)
def test_command_without_the_right_token_is_refused_and_audited(env: Env, token: Any) -> None:
    request: dict[str, Any] = {"id": 1, "command": "apply_layout", "args": {"layout": "3x3"}}
    if token is not None:
        request["token"] = token

    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            return await call(ws, **request)

    before = env.store.state
    reply = env.run(go())

    assert reply == {"id": 1, "ok": False, "error": "unauthorized: missing or invalid token"}
    assert env.store.state == before
    assert env.store.state.layout.name == "2x2"
    row = env.audit()[-1]
    assert row.command == "apply_layout"
    assert row.args == {"layout": "3x3"}
    assert row.actor == "control:127.0.0.1"
    assert row.origin == "control-api"
    assert row.result.startswith("refused")
    assert "invalid token" in row.result


def test_token_misplaced_in_args_is_not_written_to_the_audit_log(env: Env) -> None:
    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            return await call(ws, id=1, command="apply_layout", args={"layout": "3x3", "token": TOKEN})

    assert env.run(go())["ok"] is False
    row = env.audit()[-1]
    assert row.result.startswith("refused")
    assert TOKEN not in json.dumps(row.args)


def test_special_commands_need_the_token_too(env: Env) -> None:
    async def go() -> list[dict[str, Any]]:
        async with connect(env.url) as ws:
            return [await call(ws, id=n, command=n) for n in ("get_state", "subscribe")]

    for reply in env.run(go()):
        assert reply["ok"] is False
        assert reply["error"] == "unauthorized: missing or invalid token"
        assert "state" not in reply


def test_malformed_json_and_unknown_command_leave_the_connection_usable(env: Env) -> None:
    async def go() -> list[dict[str, Any]]:
        async with connect(env.url) as ws:
            await ws.send('{"id": 1, "token": ')
            bad_json = await recv_json(ws)
            unknown = await call(ws, id=2, token=TOKEN, command="self_destruct", args={})
            good = await call(ws, id=3, token=TOKEN, command="apply_layout", args={"layout": "1x1"})
            return [bad_json, unknown, good]

    bad_json, unknown, good = env.run(go())

    assert bad_json["id"] is None
    assert bad_json["ok"] is False
    assert bad_json["error"].startswith("malformed JSON at line 1 column")
    assert unknown["id"] == 2
    assert unknown["ok"] is False
    assert "unknown command 'self_destruct'" in unknown["error"]
    assert "apply_layout" in unknown["error"]
    assert good == {"id": 3, "ok": True, "version": env.store.state.version}
    assert env.store.state.layout.name == "1x1"


def test_other_bad_requests_get_error_replies(env: Env) -> None:
    async def go() -> list[dict[str, Any]]:
        async with connect(env.url) as ws:
            replies = []
            await ws.send("[1, 2, 3]")
            replies.append(await recv_json(ws))
            await ws.send(b"\x00\x01binary")
            replies.append(await recv_json(ws))
            replies.append(await call(ws, id=4, token=TOKEN, command="clear_tile", args={"tile": 0}))
            replies.append(await call(ws, id=5, token=TOKEN, command="assign_source", args={"tile": 1}))
            replies.append(await call(ws, id=6, token=TOKEN, command="clear_tile", args=[1]))
            replies.append(await call(ws, id=7, token=TOKEN, command="get_state", args={"x": 1}))
            replies.append(await call(ws, id=8, token=TOKEN, command="get_state", actor=["x"]))
            replies.append(await call(ws, id=9, token=TOKEN, command="get_state"))
            return replies

    non_object, binary, tile_zero, missing, args_list, special_args, bad_actor, state = env.run(go())

    assert non_object == {"id": None, "ok": False, "error": "a request must be a JSON object, got array"}
    assert binary["ok"] is False and "binary" in binary["error"]
    assert tile_zero["id"] == 4 and tile_zero["ok"] is False and "tile" in tile_zero["error"]
    assert missing["ok"] is False and "source: required" in missing["error"]
    assert args_list["ok"] is False and "'args' must be an object" in args_list["error"]
    assert special_args["ok"] is False and "takes no args" in special_args["error"]
    assert bad_actor["ok"] is False and "'actor' must be a string" in bad_actor["error"]
    assert state["ok"] is True and state["state"]["layout"] == "2x2"


def test_store_refusal_is_passed_back_with_the_stores_message(env: Env) -> None:
    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            return await call(ws, id=1, token=TOKEN, command="apply_layout", args={"layout": "9x9"})

    reply = env.run(go())

    assert reply["ok"] is False
    assert reply["error"].startswith("no layout '9x9'")
    assert env.store.state.layout.name == "2x2"
    assert env.audit()[-1].result.startswith("refused: no layout")


def test_get_state_returns_the_snapshot(env: Env) -> None:
    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            return await call(ws, id=None, token=TOKEN, command="get_state")

    reply = env.run(go())

    assert reply == {"id": None, "ok": True, "state": env.store.snapshot()}
    assert reply["state"]["tile_count"] == 4


def test_actor_is_appended_and_sanitised(env: Env) -> None:
    async def go() -> None:
        async with connect(env.url) as ws:
            await call(ws, id=1, token=TOKEN, actor="ops-desk 3", command="apply_layout", args={"layout": "3x3"})
            await call(ws, id=2, token=TOKEN, actor="evil\n/../" + "x" * 200, command="clear_tile",
                       args={"tile": 1})

    env.run(go())

    first, second = env.audit()[-2:]
    assert first.actor == "control:127.0.0.1/ops-desk 3"
    assert second.actor.startswith("control:127.0.0.1/evil__.._")
    assert "\n" not in second.actor
    assert len(second.actor) == len("control:127.0.0.1/") + 64


def test_subscriber_receives_events_from_another_clients_commands(env: Env) -> None:
    async def go() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with connect(env.url) as watcher, connect(env.url) as actor:
            subscribed = await call(watcher, id="s", token=TOKEN, command="subscribe")
            await call(actor, id=1, token=TOKEN, actor="bot", command="apply_layout", args={"layout": "3x3"})
            wall = await recv_json(watcher)
            await call(actor, id=2, token=TOKEN, command="save_preset", args={"preset": "night"})
            presets = await recv_json(watcher)
            return subscribed, wall, presets, await call(watcher, id="after", token=TOKEN, command="get_state")

    subscribed, wall, presets, after = env.run(go())

    assert subscribed["ok"] is True and subscribed["state"]["layout"] == "2x2"
    assert wall["event"] == "wall_changed"
    assert wall["state"]["layout"] == "3x3"
    assert wall["state"]["tile_count"] == 9
    assert wall["command"] == "apply_layout"
    assert wall["actor"] == "control:127.0.0.1/bot"
    assert wall["origin"] == "control-api"
    assert presets == {"event": "presets_changed", "presets": ["night"]}
    assert after["id"] == "after"


def test_unsubscribe_stops_events(env: Env) -> None:
    async def go() -> dict[str, Any]:
        async with connect(env.url) as ws:
            await call(ws, id=1, token=TOKEN, command="subscribe")
            assert await call(ws, id=2, token=TOKEN, command="unsubscribe") == {"id": 2, "ok": True}
            # Our own command would be pushed back as an event before its reply if still subscribed.
            return await call(ws, id=3, token=TOKEN, command="apply_layout", args={"layout": "3x3"})

    assert env.run(go()) == {"id": 3, "ok": True, "version": env.store.state.version}


def test_server_without_a_token_refuses_everything(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    locked = Env(tmp_path, None)
    request.addfinalizer(locked.close)

    async def go() -> list[dict[str, Any]]:
        async with connect(locked.url) as ws:
            return [
                await call(ws, id=1, command="apply_layout", args={"layout": "3x3"}),
                await call(ws, id=2, token="", command="apply_layout", args={"layout": "3x3"}),
                await call(ws, id=3, token="anything", command="get_state"),
            ]

    for reply in locked.run(go()):
        assert reply["ok"] is False
        assert "no token configured" in reply["error"]
    assert locked.store.state.layout.name == "2x2"
    assert all(r.result.startswith("refused") for r in locked.audit())


def test_empty_token_counts_as_no_token(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    locked = Env(tmp_path, "")
    request.addfinalizer(locked.close)

    async def go() -> dict[str, Any]:
        async with connect(locked.url) as ws:
            return await call(ws, id=1, token="", command="get_state")

    assert "no token configured" in locked.run(go())["error"]


def test_client_that_falls_behind_is_dropped(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    e = Env(tmp_path, TOKEN, max_pending=3)
    request.addfinalizer(e.close)

    async def go() -> int | None:
        async with connect(e.url) as ws:
            await call(ws, id=1, token=TOKEN, command="subscribe")
            # Changes applied back to back without yielding pile up faster than any sender can drain.
            for name in ("3x3", "1x1", "4x4", "2x2", "3x3"):
                e.store.execute(ApplyLayout(layout=name), "test", "test")
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT)
            return ws.close_code

    assert e.run(go()) == 1008

    async def again() -> dict[str, Any]:
        async with connect(e.url) as ws:
            return await call(ws, id=1, token=TOKEN, command="get_state")

    assert e.run(again())["ok"] is True


def test_oversized_message_closes_the_connection(env: Env) -> None:
    async def go() -> int | None:
        async with connect(env.url, max_size=None) as ws:
            await ws.send(json.dumps({"id": 1, "token": TOKEN, "command": "get_state", "pad": "x" * 70_000}))
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT)
            return ws.close_code

    assert env.run(go()) == 1009


def test_stop_closes_clients(env: Env) -> None:
    async def go() -> None:
        async with connect(env.url) as ws:
            await call(ws, id=1, token=TOKEN, command="subscribe")
            await env.server.stop()
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT)
        assert env.server.client_count == 0

    env.run(go())


def test_token_is_never_logged(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def go() -> None:
        async with connect(env.url) as ws:
            await call(ws, id=1, token=TOKEN, command="get_state")
            await call(ws, id=2, token=TOKEN + "x", command="get_state")

    env.run(go())
    env.run(env.server.stop())

    # Only the server's side counts: the test's own client logs its frames at DEBUG.
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith("console")]
    assert any("connected from 127.0.0.1" in line for line in server_lines)
    assert any(r.name == "console.control.websockets" for r in caplog.records)
    assert not any(TOKEN in line for line in server_lines)
