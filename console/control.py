"""Websocket control API: token-authenticated JSON commands and wall events, on the GUI's asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from console.commands import COMMANDS, CommandError, parse_command
from console.messages import PresetsChanged, WallChanged
from console.store import Store

log = logging.getLogger(__name__)
# websockets logs every frame at DEBUG, and request frames carry the token: cap its logger at INFO
# so turning on debug logging for the console can never write the token out.
_ws_log = logging.getLogger(__name__ + ".websockets")
_ws_log.setLevel(logging.INFO)

ORIGIN = "control-api"
MAX_MESSAGE_BYTES = 64 * 1024
MAX_PENDING = 100
ACTOR_MAX = 64
UNAUTHORIZED = "unauthorized: missing or invalid token"
NO_TOKEN = "unauthorized: the control API has no token configured ([control] token or token_env in the site file)"
SPECIAL_COMMANDS = ("get_state", "subscribe", "unsubscribe")

# Actor names end up in the audit log and on screen: keep them to plain, printable characters.
_ACTOR_UNSAFE = re.compile(r"[^A-Za-z0-9._@+\- ]")


class _Client:
    """One connection: its outgoing queue, the task that drains it, and whether it wants events."""

    def __init__(self, ws: ServerConnection, peer: str) -> None:
        self.ws = ws
        self.peer = peer
        self.subscribed = False
        self.dropped = False
        # Everything sent goes through this queue, so replies and events keep their order and a
        # client that stops reading only ever grows its own queue, never stalls the loop.
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.sender: asyncio.Task[None] | None = None


class ControlServer:
    """Serves the control API; ``start`` and ``stop`` must be awaited on the GUI thread's loop."""

    def __init__(
        self,
        store: Store,
        token: str | None,
        host: str = "127.0.0.1",
        port: int = 8765,
        *,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._store = store
        # An empty token would be as good as none; treat it so, so that it locks the API too.
        self._token = token.encode("utf-8") if token else None
        self.host = host
        self.port = port
        self._max_pending = max_pending
        self._server: Server | None = None
        self._clients: set[_Client] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    @property
    def client_count(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        """Bind and start serving; with port 0 the real port is in ``.port`` afterwards."""
        if self._server is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        if self._token is None:
            log.warning("control API has no token configured: every command will be refused")
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            max_size=MAX_MESSAGE_BYTES,
            # A client that never answers the close handshake must not hold up shutdown for long.
            close_timeout=2,
            logger=_ws_log,
        )
        sockets = list(self._server.sockets)
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self._unsubscribe = [
            self._store.bus.subscribe(WallChanged, self._on_wall_changed),
            self._store.bus.subscribe(PresetsChanged, self._on_presets_changed),
        ]
        log.info("control API listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Close the listener and every client, and wait until none of our tasks is left."""
        server, self._server = self._server, None
        if server is None:
            return
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        server.close()
        await server.wait_closed()
        if server.close_task is not None:
            await server.close_task
        # Drop-closes of slow clients may still be winding down; they are ours, so finish them.
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        log.info("control API stopped")

    # -- connections --------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        address = ws.remote_address
        peer = str(address[0]) if isinstance(address, tuple) and address else "unknown"
        client = _Client(ws, peer)
        client.sender = asyncio.create_task(self._send_loop(client), name=f"control-send-{peer}")
        self._clients.add(client)
        log.info("control client connected from %s", _address_text(address))
        try:
            async for message in ws:
                try:
                    reply = self._reply(client, message)
                except Exception:
                    # A bug here must cost one request, never the connection or the loop.
                    log.exception("control request from %s failed", peer)
                    reply = {"id": None, "ok": False, "error": "internal error; see the console log"}
                self._push(client, _dump(reply))
        except ConnectionClosed:
            pass
        finally:
            self._clients.discard(client)
            client.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await client.sender
            log.info("control client disconnected from %s", _address_text(address))

    async def _send_loop(self, client: _Client) -> None:
        try:
            while True:
                await client.ws.send(await client.queue.get())
        except ConnectionClosed:
            pass

    def _push(self, client: _Client, text: str) -> None:
        if client.dropped:
            return
        client.queue.put_nowait(text)
        if client.queue.qsize() > self._max_pending:
            self._drop(client)

    def _drop(self, client: _Client) -> None:
        """Disconnect a client that stopped reading, so its backlog cannot grow without bound."""
        client.dropped = True
        client.subscribed = False
        log.warning("control client %s dropped: more than %d messages pending", client.peer, self._max_pending)
        if client.sender is not None:
            # The sender may be stuck waiting for the socket to drain; stop it so close() can run.
            client.sender.cancel()
        task = asyncio.ensure_future(client.ws.close(CloseCode.POLICY_VIOLATION, "too many pending messages"))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- requests -----------------------------------------------------------------------------
    def _reply(self, client: _Client, message: str | bytes) -> dict[str, Any]:
        if isinstance(message, bytes):
            return _error(None, "binary frames are not accepted; send JSON text")
        try:
            request = json.loads(message)
        except json.JSONDecodeError as exc:
            return _error(None, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        if not isinstance(request, dict):
            return _error(None, f"a request must be a JSON object, got {_json_type(request)}")
        rid = request.get("id")
        name = request.get("command")
        args = request.get("args")

        refusal = self._check_token(request.get("token"))
        if refusal is not None:
            log.warning("control request from %s refused: %s", client.peer, refusal)
            self._store.record_refused(
                _audit_name(name), _audit_args(args), f"control:{client.peer}", ORIGIN, refusal
            )
            return _error(rid, UNAUTHORIZED if self._token is not None else NO_TOKEN)

        actor_field = request.get("actor")
        if actor_field is not None and not isinstance(actor_field, str):
            return _error(rid, f"'actor' must be a string, got {_json_type(actor_field)}")
        actor = _actor(client.peer, actor_field)

        if name in SPECIAL_COMMANDS:
            if args not in (None, {}):
                return _error(rid, f"{name} takes no args")
            if name == "get_state":
                return {"id": rid, "ok": True, "state": self._store.snapshot()}
            if name == "subscribe":
                client.subscribed = True
                return {"id": rid, "ok": True, "state": self._store.snapshot()}
            client.subscribed = False
            return {"id": rid, "ok": True}

        if not isinstance(name, str) or name not in COMMANDS:
            known = ", ".join(sorted((*COMMANDS, *SPECIAL_COMMANDS)))
            shown = name if isinstance(name, str) else _json_type(name)
            return _error(rid, f"unknown command {shown!r} (known: {known})")
        try:
            command = parse_command(name, args)
        except CommandError as exc:
            return _error(rid, str(exc))
        result = self._store.execute(command, actor, ORIGIN)
        if not result.ok:
            return _error(rid, result.error)
        return {"id": rid, "ok": True, "version": result.version}

    def _check_token(self, given: Any) -> str | None:
        """The audit reason when the request may not run, None when it may."""
        if self._token is None:
            return "no token configured"
        if not isinstance(given, str) or not given:
            return "invalid token"
        # Compare bytes: compare_digest rejects non-ASCII str, and must not short-cut on content.
        if not hmac.compare_digest(given.encode("utf-8"), self._token):
            return "invalid token"
        return None

    # -- events -------------------------------------------------------------------------------
    def _on_wall_changed(self, msg: WallChanged) -> None:
        state = self._store.snapshot()
        # The message's own state is the one this event is about, even if delivery came late.
        state.update(msg.state.to_dict())
        state["tile_count"] = msg.state.layout.tile_count
        event = {"event": "wall_changed", "state": state, "command": msg.command, "actor": msg.actor,
                 "origin": msg.origin}
        self._broadcast(_dump(event))

    def _on_presets_changed(self, msg: PresetsChanged) -> None:
        self._broadcast(_dump({"event": "presets_changed", "presets": sorted(p.name for p in msg.presets)}))

    def _broadcast(self, text: str) -> None:
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            # asyncio queues are not thread-safe; hop onto the loop if the bus ever calls from elsewhere.
            self._loop.call_soon_threadsafe(self._broadcast, text)
            return
        for client in list(self._clients):
            if client.subscribed:
                self._push(client, text)


def _error(rid: Any, text: str) -> dict[str, Any]:
    return {"id": rid, "ok": False, "error": text}


def _dump(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, default=str)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _actor(peer: str, requested: str | None) -> str:
    base = f"control:{peer}"
    if not requested:
        return base
    cleaned = _ACTOR_UNSAFE.sub("_", requested).strip()[:ACTOR_MAX].strip()
    return f"{base}/{cleaned}" if cleaned else base


def _audit_name(name: Any) -> str:
    # Whatever a refused client sent as a name is recorded, but bounded and as text.
    return (name if isinstance(name, str) else repr(name))[:80]


def _audit_args(args: Any) -> dict[str, Any]:
    if args is None:
        return {}
    if isinstance(args, dict):
        # A token misplaced inside args must not reach the audit log either.
        return {k: v for k, v in args.items() if k != "token"}
    return {"args": args}


def _address_text(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)
