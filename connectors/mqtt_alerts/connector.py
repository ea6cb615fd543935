"""MqttAlertsConnector: alerts published to an MQTT broker, read with aiomqtt on the console's loop.

Each message's payload is one alert object or a JSON list of them (docs/ALERT_FEEDS.md). With QoS 1
the PUBACK is held back until the message's accepted alerts are committed by the alert writer, so
a console that dies before the commit gets the message again from the broker (at least once).
With a ``client_id`` the session is persistent: the broker keeps QoS 1 alerts while the console
is away and delivers them when it comes back.

Thread: the console's asyncio loop, except ``on_stored`` callbacks, which hop back to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from typing import Literal

import aiomqtt
from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from connectors.ws_alerts.connector import decode_json, masked_logger, parse_items

CONNECT_TIMEOUT_S = 10.0  # TCP connect + CONNACK, and SUBACK
DISCONNECT_TIMEOUT_S = 2.0  # the supervisor gives stop() 5 s in all


def check_topic_filter(topic: str) -> str:
    """An MQTT topic filter: '+' takes a whole level, '#' only the whole last level."""
    if not topic or len(topic.encode()) > 65535 or "\0" in topic:
        raise ValueError(f"{topic!r}: not a topic filter")
    levels = topic.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise ValueError(f"{topic!r}: '#' must be the whole last level")
        if "+" in level and level != "+":
            raise ValueError(f"{topic!r}: '+' must be a whole level")
    return topic


def _failed(code: object) -> bool:
    """A SUBACK return code (an int, or paho's ReasonCode) that refuses the subscription."""
    value = getattr(code, "value", code)
    return isinstance(value, int) and value >= 0x80


class MqttAlertsConfig(ConnectorConfig):
    # A quiet alert feed is a good day, not a stale one: only a day without a word is suspicious.
    stale_after_s: float = Field(86400.0, gt=0, le=7 * 86400, title="Stale after", json_schema_extra={"unit": "s"})
    host: str = Field(min_length=1, title="Broker host")
    port: int = Field(1883, ge=1, le=65535, title="Broker port")
    topics: list[str] = Field(default_factory=lambda: ["ioc/alerts/#"], min_length=1, title="Topics",
                              description="Topic filters to subscribe to ('+' and '#' wildcards)")
    username: str = Field("", title="User name")
    password: SecretStr | None = Field(None, title="Password")
    client_id: str = Field(
        "", max_length=128, title="Client id",
        description="Empty: a random id and a clean session. Set (unique per console): a persistent session, "
                    "so the broker keeps QoS 1 alerts while the console is disconnected.",
    )
    qos: Literal[0, 1] = Field(1, title="QoS", description="1: at least once, acknowledged once on disk")
    keepalive_s: int = Field(30, ge=5, le=3600, title="Keep-alive", json_schema_extra={"unit": "s"},
                             description="A broker that stops answering counts as lost within about twice this.")

    @field_validator("topics")
    @classmethod
    def _check_topics(cls, topics: list[str]) -> list[str]:
        return [check_topic_filter(t) for t in topics]

    @model_validator(mode="after")
    def _password_needs_user(self) -> MqttAlertsConfig:
        if self.password is not None and self.password.get_secret_value() and not self.username:
            raise ValueError("a password needs a user name (MQTT sends no password without one)")
        return self


class MqttAlertsConnector(Connector):
    Config = MqttAlertsConfig
    kind = "mqtt_alerts"

    def __init__(self, name: str, config: MqttAlertsConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: MqttAlertsConfig = config
        self._client: aiomqtt.Client | None = None
        self._connected = False
        self._unacked: OrderedDict[int, bool] = OrderedDict()  # QoS 1 message id -> stored, in order of receipt
        password = config.password.get_secret_value() if config.password else ""
        self._mqtt_log = masked_logger(f"{ctx.log.name}.mqtt", password)

    @property
    def _where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    async def start(self) -> None:
        cfg = self.config
        client = aiomqtt.Client(
            cfg.host, cfg.port,
            username=cfg.username or None,
            password=cfg.password.get_secret_value() if cfg.password else None,
            identifier=cfg.client_id or None,
            clean_session=not cfg.client_id,
            keepalive=cfg.keepalive_s,
            timeout=CONNECT_TIMEOUT_S,
            logger=self._mqtt_log,
        )
        # The PUBACK waits until the alerts are on disk (see _handle); aiomqtt does not expose this.
        client._client.manual_ack_set(True)
        self._client = client
        self._unacked.clear()
        try:
            await client.__aenter__()
        except aiomqtt.MqttError as exc:
            raise ConnectionError(f"MQTT broker {self._where}: {exc}") from None
        self._connected = True
        try:
            wanted: list[tuple[str, int]] = [(t, cfg.qos) for t in cfg.topics]
            granted = await client.subscribe(wanted)
        except aiomqtt.MqttError as exc:
            raise ConnectionError(f"MQTT broker {self._where}: subscribe failed: {exc}") from None
        refused = [t for t, code in zip(cfg.topics, granted, strict=False) if _failed(code)]
        if refused:
            raise ConnectionError(f"MQTT broker {self._where} refused the subscription to {', '.join(refused)}")
        self.ctx.log.debug("connected to %s, subscribed to %s", self._where, ", ".join(cfg.topics))

    async def run(self) -> None:
        client = self._client
        assert client is not None, "run() before start()"
        loop = asyncio.get_running_loop()
        try:
            async for message in client.messages:
                self._handle(client, message, loop)
                # Buffered messages come back without a pause: yield, so a flood cannot freeze the screen.
                await asyncio.sleep(0)
        except aiomqtt.MqttError as exc:
            cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
            raise ConnectionError(f"lost the MQTT broker {self._where}: {exc}{cause}") from None
        raise ConnectionError(f"lost the MQTT broker {self._where}")

    async def stop(self) -> None:
        client, self._client = self._client, None
        connected, self._connected = self._connected, False
        if client is None:
            return
        if connected:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.__aexit__(None, None, None), DISCONNECT_TIMEOUT_S)
            # Stopped just as the broker went away: aiomqtt holds that error for a reader that is gone.
            lost = client._disconnected
            if lost.done() and not lost.cancelled():
                lost.exception()
        else:
            # A connect that timed out waiting for CONNACK leaves a socket open: close it.
            with contextlib.suppress(Exception):
                client._client.disconnect()

    # -- messages -------------------------------------------------------------------------
    def _handle(self, client: aiomqtt.Client, message: aiomqtt.Message, loop: asyncio.AbstractEventLoop) -> None:
        received = time.time()
        mid, qos = message.mid, message.qos
        if qos > 0:
            self._unacked[mid] = False
        if message.retain:
            # A retained message is replayed at every subscribe: it would raise closed alerts again.
            self.ctx.reject_payload(f"{message.topic}: retained message ignored (publish alerts without retain)")
            self._ack(client, mid, qos)
            return
        payload = message.payload
        doc, reason = decode_json(payload if isinstance(payload, str | bytes) else bytes(payload or b""))
        if reason:
            self.ctx.reject_payload(reason)
            self._ack(client, mid, qos)
            return
        if isinstance(doc, list):
            items = doc
        elif isinstance(doc, dict):
            items = [doc]
        else:
            self.ctx.reject_payload(f"expected a JSON object or a list of them, got {type(doc).__name__}")
            self._ack(client, mid, qos)
            return
        events, _ = parse_items(items, self.ctx, self.name, received)
        if not events:
            self._ack(client, mid, qos)
            return
        if qos == 0:
            self.ctx.submit_alerts(events)
            return

        def stored() -> None:  # on the alert writer's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: the console is shutting down
                loop.call_soon_threadsafe(self._ack, client, mid, qos)

        self.ctx.submit_alerts(events, stored)

    def _ack(self, client: aiomqtt.Client, mid: int, qos: int) -> None:
        # Only on the connection that received it; after a reconnect the broker sends it again.
        if qos == 0 or client is not self._client or not self._connected or mid not in self._unacked:
            return
        self._unacked[mid] = True
        # MQTT wants PUBACKs in the order the messages came: a message rejected at once waits for
        # the ones before it that are still on their way to disk.
        while self._unacked:
            first, ready = next(iter(self._unacked.items()))
            if not ready:
                break
            del self._unacked[first]
            client._client.ack(first, 1)
