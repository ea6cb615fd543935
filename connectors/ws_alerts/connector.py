"""WsAlertsConnector: alerts pushed by a backend over a WebSocket, acknowledged once they are on disk.

The console is the client: it connects to ``url`` (with an optional bearer token), reads JSON text
messages, each one alert or a batch ``{"id": ..., "alerts": [...]}``, and, for a message that
carries an ``id``, answers ``{"ack": id, "accepted": n, "rejected": m}`` after the accepted alerts
were committed by the alert writer. The payload format is in docs/ALERT_FEEDS.md.

Thread: the console's asyncio loop, except ``on_stored`` callbacks, which hop back to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from console.logmask import SecretMask
from console.model.alerts import AlertEvent, AlertPayloadError, parse_alert

CLOSE_TIMEOUT_S = 2.0  # the supervisor gives stop() 5 s in all
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # a batch of a few thousand alerts


class WsAlertsConfig(ConnectorConfig):
    # A quiet alert feed is a good day, not a stale one: only a day without a word is suspicious.
    stale_after_s: float = Field(86400.0, gt=0, le=7 * 86400, title="Stale after", json_schema_extra={"unit": "s"})
    url: str = Field(title="Server URL", description="ws:// or wss:// address of the alert feed",
                     examples=["wss://alerts.example.vn/ioc/feed"])
    token: SecretStr | None = Field(None, title="Bearer token",
                                    description="Sent as 'Authorization: Bearer ...'; never logged")
    ping_interval_s: float = Field(
        20.0, gt=0, le=600, title="Ping interval", json_schema_extra={"unit": "s"},
        description="A ping this often; no pong within the same time counts as a lost connection.",
    )
    open_timeout_s: float = Field(10.0, gt=0, le=120, title="Connect timeout", json_schema_extra={"unit": "s"})

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError("expected a ws:// or wss:// URL with a host name")
        if parts.username or parts.password:
            # A password in the URL would end up in logs and health texts; secrets go in `token`.
            raise ValueError("credentials do not belong in the URL: use the token setting")
        return value


def safe_url(url: str) -> str:
    """The URL without its query (which may carry an API key): fit for logs and health texts."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def decode_json(raw: str | bytes) -> tuple[Any, str]:
    """Decode one message; returns (document, "") or (None, the reason it was rejected)."""
    try:
        return json.loads(raw), ""
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    except UnicodeDecodeError:
        return None, "malformed JSON: the message is not UTF-8 text"


def parse_items(items: list[Any], ctx: ConnectorContext, source: str, received: float) -> tuple[list[AlertEvent], int]:
    """Parse each item on its own: bad ones are rejected (counted and logged), good ones kept."""
    events: list[AlertEvent] = []
    rejected = 0
    for item in items:
        try:
            events.append(parse_alert(item, source, received))
        except AlertPayloadError as exc:
            rejected += 1
            ctx.reject_payload(str(exc))
    return events, rejected


def masked_logger(name: str, secret: str) -> logging.Logger:
    """A logger for a client library that may log the secret (websockets logs request headers at
    DEBUG): the secret is masked before any handler sees the record."""
    logger = logging.getLogger(name)
    for f in list(logger.filters):
        if isinstance(f, SecretMask):
            logger.removeFilter(f)
    if secret:
        logger.addFilter(SecretMask([secret]))
    return logger


class WsAlertsConnector(Connector):
    Config = WsAlertsConfig
    kind = "ws_alerts"

    def __init__(self, name: str, config: WsAlertsConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: WsAlertsConfig = config
        self._ws: ClientConnection | None = None
        self._acks: set[asyncio.Task[None]] = set()
        token = config.token.get_secret_value() if config.token else ""
        self._ws_log = masked_logger(f"{ctx.log.name}.websocket", token)

    async def start(self) -> None:
        cfg = self.config
        headers = {"Authorization": f"Bearer {cfg.token.get_secret_value()}"} if cfg.token else None
        where = safe_url(cfg.url)
        try:
            self._ws = await connect(
                cfg.url, additional_headers=headers, open_timeout=cfg.open_timeout_s,
                ping_interval=cfg.ping_interval_s, ping_timeout=cfg.ping_interval_s,
                close_timeout=CLOSE_TIMEOUT_S, max_size=MAX_MESSAGE_BYTES, logger=self._ws_log,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            hint = ": check the token" if status in (401, 403) else ""
            raise ConnectionError(f"{where} refused the WebSocket connection (HTTP {status}){hint}") from None
        except TimeoutError:
            raise ConnectionError(f"{where}: no WebSocket handshake within {cfg.open_timeout_s:g} s") from None
        except (InvalidURI, InvalidHandshake) as exc:
            raise ConnectionError(f"{where}: {exc}") from None
        except OSError as exc:
            raise ConnectionError(f"{where}: {exc.strerror or exc}") from None
        self.ctx.log.debug("connected to %s", where)

    async def run(self) -> None:
        ws = self._ws
        assert ws is not None, "run() before start()"
        loop = asyncio.get_running_loop()
        try:
            async for raw in ws:
                self._handle(ws, raw, loop)
                # Buffered messages come back without a pause: yield, so a flood cannot freeze the screen.
                await asyncio.sleep(0)
        except ConnectionClosed:
            pass
        # A normal close is a disconnect too: the feed is live, so the supervisor reconnects.
        code = ws.close_code
        reason = f" {ws.close_reason}" if ws.close_reason else ""
        raise ConnectionError(f"the server closed the connection (code {code}{reason})" if code is not None
                              else "the connection was lost")

    async def stop(self) -> None:
        ws, self._ws = self._ws, None
        for task in list(self._acks):
            task.cancel()
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    # -- messages -------------------------------------------------------------------------
    def _handle(self, ws: ClientConnection, raw: str | bytes, loop: asyncio.AbstractEventLoop) -> None:
        received = time.time()
        doc, reason = decode_json(raw)
        if reason:
            self.ctx.reject_payload(reason)
            return
        if not isinstance(doc, dict):
            self.ctx.reject_payload(f'expected a JSON object (one alert, or {{"id": ..., "alerts": [...]}}), '
                                    f"got {type(doc).__name__}")
            return
        msg_id = doc.get("id")
        if msg_id is not None and (isinstance(msg_id, bool) or not isinstance(msg_id, str | int)):
            self.ctx.reject_payload(f"id: expected text, got {type(msg_id).__name__}")
            return
        if "alerts" in doc:
            items = doc["alerts"]
            if not isinstance(items, list):
                self.ctx.reject_payload(f"alerts: expected a list of alert objects, got {type(items).__name__}")
                if msg_id is not None:
                    self._send_ack(ws, msg_id, 0, 1)
                return
        else:
            items = [doc]
        events, rejected = parse_items(items, self.ctx, self.name, received)
        if msg_id is None:
            if events:
                self.ctx.submit_alerts(events)
            return
        if not events:
            self._send_ack(ws, msg_id, 0, rejected)  # nothing to store: answer at once
            return
        accepted = len(events)

        def stored() -> None:  # on the alert writer's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: the console is shutting down
                loop.call_soon_threadsafe(self._send_ack, ws, msg_id, accepted, rejected)

        self.ctx.submit_alerts(events, stored)

    def _send_ack(self, ws: ClientConnection, msg_id: str | int, accepted: int, rejected: int) -> None:
        if ws is not self._ws:
            return  # that connection is gone; the server resends what it has no ack for
        text = json.dumps({"ack": msg_id, "accepted": accepted, "rejected": rejected})
        task = asyncio.ensure_future(self._send(ws, text))
        self._acks.add(task)
        task.add_done_callback(self._acks.discard)

    async def _send(self, ws: ClientConnection, text: str) -> None:
        with contextlib.suppress(ConnectionClosed):  # run() notices the drop and reports it
            await ws.send(text)
