"""RestConnector: KPI values polled from a JSON endpoint, one GET every few seconds.

The document holds a list of items (the document itself, or at a dotted path such as
``data.records``); each item names an indicator, a unit, a time and a value, at configurable (dotted)
field names. An endpoint that cannot be read (timeout, refused, HTTP error, not JSON, no list) makes
``run`` raise with one line naming the URL, so the console shows the connector retrying; single bad
items are reported and the good ones beside them published. The bearer token and any credentials in
the URL never appear in a message. Thread: the console's asyncio loop; decoding runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import Field, SecretStr, field_validator

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from connectors.kpi_rows import RowError, RowReader, summarize
from console.logmask import SecretMask
from console.model.kpi import KpiSample

MAX_BYTES = 64 * 1024 * 1024  # far beyond any KPI document; a runaway endpoint must not eat the memory
MISSING = object()


class _HttpxMask(SecretMask):
    """httpx logs every request with its full URL: a query that carries an API key would reach the log.
    One filter on the "httpx" logger masks what every REST connector registered."""

    def __init__(self) -> None:
        super().__init__(())
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            known = set(self.secrets) | {s for s in secrets if len(s) >= 4}
            self.secrets = sorted(known, key=len, reverse=True)


_HTTPX_MASK = _HttpxMask()


def mask_in_httpx_log(secrets: Iterable[str]) -> None:
    logger = logging.getLogger("httpx")
    if _HTTPX_MASK not in logger.filters:
        logger.addFilter(_HTTPX_MASK)
    _HTTPX_MASK.add(secrets)


def _dotted(value: str) -> str:
    value = value.strip()
    if value and any(not part.strip() for part in value.split(".")):
        raise ValueError("expected names joined by dots, such as data.records")
    return value


class RestConfig(ConnectorConfig):
    # The endpoint is polled every every_s and each poll publishes: a few missed polls mean stale.
    stale_after_s: float = Field(300.0, gt=0, le=31 * 86400, title="Stale after",
                                 json_schema_extra={"unit": "s"})
    url: str = Field(title="URL", description="http:// or https:// address of the JSON document",
                     examples=["https://api.example.vn/env/aqi?latest=1"])
    every_s: float = Field(30.0, gt=0, le=86400, title="Poll interval", json_schema_extra={"unit": "s"})
    timeout_s: float = Field(10.0, gt=0, le=300, title="Timeout", json_schema_extra={"unit": "s"},
                             description="The whole request, from connecting to the last byte.")
    token: SecretStr | None = Field(None, title="Bearer token",
                                    description="Sent as 'Authorization: Bearer ...'; never logged")
    items: str = Field("", title="Items path",
                       description='Dotted path to the list of items ("" = the document is the list)')
    indicator: str = Field("", title="Fixed indicator",
                           description="Indicator id for every item; when set, indicator_field is not read")
    indicator_field: str = Field("indicator", min_length=1, title="Indicator field")
    unit_field: str = Field("unit", min_length=1, title="Unit field")
    time_field: str = Field("time", min_length=1, title="Time field")
    value_field: str = Field("value", min_length=1, title="Value field")
    quality_field: str = Field("", title="Quality field", description='"" = every value is good')

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return http_url(value)

    @field_validator("items", "indicator_field", "unit_field", "time_field", "value_field", "quality_field")
    @classmethod
    def _check_path(cls, value: str) -> str:
        return _dotted(value)


def safe_url(url: str) -> str:
    """The URL for messages: credentials masked, the query (which may carry an API key) left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = ("***@" if parts.username or parts.password else "") + host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def get_path(doc: Any, path: str) -> Any:
    """``doc`` at a dotted path ("stats.aqi"; a number indexes a list); MISSING where there is nothing.
    A key that itself holds dots ("pm2.5") is found too."""
    if not path:
        return doc
    if isinstance(doc, dict) and path in doc:
        return doc[path]
    head, dot, rest = path.partition(".")
    if isinstance(doc, dict):
        # The longest key made of leading parts wins, so {"pm2.5": {...}} works with "pm2.5.value".
        parts = path.split(".")
        for n in range(len(parts) - 1, 0, -1):
            key = ".".join(parts[:n])
            if key in doc:
                return get_path(doc[key], ".".join(parts[n:]))
        return MISSING
    if isinstance(doc, list) and head.isdigit() and int(head) < len(doc):
        return get_path(doc[int(head)], rest) if dot else doc[int(head)]
    return MISSING


def transport_reason(exc: BaseException) -> str:
    """What a person can act on, from the chain under httpx's "All connection attempts failed"."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return f"host name not found ({cause.strerror})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed ({cause.reason or cause})"
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__


def json_kind(value: Any) -> str:
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__


class RestConnector(Connector):
    Config = RestConfig
    kind = "rest"

    def __init__(self, name: str, config: RestConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: RestConfig = config
        parts = urlsplit(config.url)
        self.where = safe_url(config.url)
        secrets = [config.token.get_secret_value() if config.token else "", parts.password or "", parts.query]
        self._mask = SecretMask(s for s in secrets if s)
        mask_in_httpx_log(s for s in secrets if s)
        # Credentials leave the URL for an auth object, so the URL httpx logs carries none.
        self._auth = httpx.BasicAuth(parts.username or "", parts.password or "") if parts.username else None
        self._request_url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        self._reader = RowReader(ctx.indicators, ctx.units, ctx.formerly, config.indicator)
        self._fields = {"indicator": config.indicator_field, "unit": config.unit_field,
                        "time": config.time_field, "value": config.value_field,
                        "quality": config.quality_field}
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        cfg = self.config
        headers = {"Accept": "application/json"}
        if cfg.token:
            headers["Authorization"] = f"Bearer {cfg.token.get_secret_value()}"
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(cfg.timeout_s), headers=headers,
                                         auth=self._auth, follow_redirects=True)
        await self._poll()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.config.every_s)
            await self._poll()

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def _poll(self) -> None:
        body = await self._fetch()
        samples, problems = await self.in_thread(self._parse, body)
        for problem in problems:
            self.ctx.reject_payload(problem)
        # Each poll reads the whole document again: the status tells of this one (clean: cleared).
        self.ctx.set_status(summarize(problems))
        if samples:
            self.ctx.publish_samples(samples)

    async def _fetch(self) -> bytes:
        assert self._client is not None, "poll before start"
        return await get_body(self._client, self._request_url, f"GET {self.where}", self.config.timeout_s, self._mask)

    def _parse(self, body: bytes) -> tuple[list[KpiSample], list[str]]:
        """Decode and read the items; on a worker thread (a large document must not freeze the screen)."""
        items = json_list(body, self.config.items, f"GET {self.where}")
        samples: list[KpiSample] = []
        problems: list[str] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(f"item {index}: expected an object, got {json_kind(item)}")
                continue
            try:
                samples.append(self._sample(item))
            except RowError as exc:
                problems.append(f"item {index}: {self._named(str(exc))}")
        return samples, problems

    def _sample(self, item: dict[str, Any]) -> KpiSample:
        f = self._fields

        def field(name: str) -> Any:
            value = get_path(item, f[name]) if f[name] else None
            return None if value is MISSING else value

        indicator = self.config.indicator or field("indicator")
        return self._reader.sample(indicator, field("unit"), field("time"), field("value"), field("quality"))

    def _named(self, problem: str) -> str:
        """'value: missing' -> 'stats.aqi: missing': the problem names the field as the JSON spells it."""
        name, sep, rest = problem.partition(": ")
        field_name = self._fields.get(name)
        if not sep or not field_name or (name == "indicator" and self.config.indicator):
            return problem
        return f"{field_name}: {rest}"


async def get_body(client: httpx.AsyncClient, url: str, what: str, timeout_s: float, mask: SecretMask,
                   headers: dict[str, str] | None = None, auth: Any = httpx.USE_CLIENT_DEFAULT) -> bytes:
    """GET ``url`` within one deadline for the whole exchange (httpx's own timeouts are per read, and a
    server that trickles a byte a second would never trip them), refusing answers over MAX_BYTES.
    Raises with ``what`` and a reason a person can act on; secrets masked."""
    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream("GET", url, headers=headers, auth=auth) as response:
                if response.status_code >= 400:
                    hint = ": check the token" if response.status_code in (401, 403) else ""
                    raise ConnectionError(f"{what}: HTTP {response.status_code}{hint}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ValueError(f"{what}: the answer is larger than {MAX_BYTES // 2**20} MiB")
                    chunks.append(chunk)
                return b"".join(chunks)
    except (TimeoutError, httpx.TimeoutException):
        raise TimeoutError(f"{what}: no complete answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise ConnectionError(f"{what}: {mask.mask(transport_reason(exc))}") from None


def json_list(body: bytes, path: str, what: str) -> list[Any]:
    """The list at dotted ``path`` of a JSON answer; raises naming what is wrong (not JSON, not a list)."""
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what}: not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{what}: not JSON (the answer is not UTF-8 text)") from None
    items = get_path(doc, path)
    if not isinstance(items, list):
        where = f"{path!r}" if path else "the document"
        raise ValueError(f"{what}: {where} is not a list (it is {json_kind(items)})")
    return items


def http_url(value: str) -> str:
    """A settings field that must be an http(s) URL with a host (the validators of both REST connectors)."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host name")
    return value
