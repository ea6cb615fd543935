"""DocumentsRestConnector: a document-management system's register of papers, read with one GET a poll.

The JSON holds a list of papers (the document itself, or at a dotted path such as ``data.items``); each
names a number, a direction, dates, an issuer, a summary and the URL of its file, at configurable
dotted field names. Every poll publishes the whole register as a ``DocumentListing``. An endpoint that
cannot be read (timeout, refused, HTTP error, not JSON, no list) makes ``run`` raise with one line
naming the URL, so the console shows the connector retrying and keeps the listing it had; single bad
papers are named in the status line and the good ones beside them listed.

Files: the newest ``keep_files`` papers' files are downloaded in the background, two at a time, into
the console's cache, and each copy becomes a DOCUMENT source a tile can show. The bearer token goes
only to the register's own host, and neither it nor any credential in a URL appears in a message.
Thread: the console's asyncio loop; decoding and file writes run on the connector's worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import replace
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from connectors.documents_rest.downloads import PartFile, TooLarge, extension, safe_name, stem_for, tidy
from connectors.documents_rest.items import ItemReader, read_items
from connectors.kpi_rows import summarize
from connectors.rest.connector import (
    get_body,
    http_url,
    json_list,
    mask_in_httpx_log,
    safe_url,
    transport_reason,
)
from console import paths
from console.logmask import SecretMask
from console.model.documents import DocumentItem, DocumentListing
from console.model.sources import Source, SourceKind

DOWNLOADS_AT_ONCE = 2  # the system serves the operators' desks too: never more than two files at a time
CHUNK = 256 * 1024
DEFAULT_DIRECTIONS = {"den": "in", "di": "out", "incoming": "in", "outgoing": "out", "in": "in", "out": "out",
                      "đến": "in", "đi": "out"}
SHORT_SUMMARY = 60


def _dotted(value: str) -> str:
    value = value.strip()
    if value and any(not part.strip() for part in value.split(".")):
        raise ValueError("expected names joined by dots, such as data.items")
    return value


class DocumentFields(BaseModel):
    """Where each part of a paper is in one item of the JSON (dotted paths; "" = not sent)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field("id", title="Id field", description='"" = the number identifies the paper')
    number: str = Field("number", min_length=1, title="Number field")
    direction: str = Field("direction", min_length=1, title="Direction field")
    date: str = Field("date", min_length=1, title="Date field")
    issuer: str = Field("issuer", title="Issuer field")
    summary: str = Field("summary", title="Summary field")
    deadline: str = Field("deadline", title="Deadline field")
    done: str = Field("done", title="Handled field")
    url: str = Field("file_url", title="File URL field")

    @field_validator("*")
    @classmethod
    def _check_path(cls, value: str) -> str:
        return _dotted(value)


class DocumentsRestConfig(ConnectorConfig):
    # The register is read every poll_s and each poll publishes: a few missed polls mean stale.
    stale_after_s: float = Field(600.0, gt=0, le=31 * 86400, title="Stale after", json_schema_extra={"unit": "s"})
    title: str = Field("Documents", min_length=1, title="Title", description="The register's name on tiles")
    url: str = Field(title="URL", description="http:// or https:// address of the register's JSON",
                     examples=["https://vanban.example.gov.vn/api/register?days=30"])
    token: SecretStr | None = Field(None, title="Bearer token",
                                    description="Sent as 'Authorization: Bearer ...' to this host only; never logged")
    poll_s: float = Field(60.0, gt=0, le=86400, title="Poll interval", json_schema_extra={"unit": "s"})
    timeout_s: float = Field(10.0, gt=0, le=300, title="Timeout", json_schema_extra={"unit": "s"},
                             description="Reading the register, from connecting to the last byte.")
    items_path: str = Field("", title="Items path",
                            description='Dotted path to the list of papers ("" = the document is the list)')
    fields: DocumentFields = Field(default_factory=DocumentFields, title="Fields")
    direction_values: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_DIRECTIONS), title="Directions",
                                             description='The system\'s words for incoming and outgoing -> "in" / "out"')
    download: bool = Field(True, title="Download files", description="Keep local copies so tiles can show them")
    max_download_mb: float = Field(50.0, gt=0, le=4096, title="Largest file", json_schema_extra={"unit": "MB"})
    keep_files: int = Field(100, ge=1, le=10000, title="Files kept",
                            description="Copies of this many newest papers are kept; older ones are deleted")
    cache_dir: str = Field("", title="Cache folder", description='"" = the console\'s cache folder')

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return http_url(value)

    @field_validator("items_path")
    @classmethod
    def _check_items(cls, value: str) -> str:
        return _dotted(value)

    @field_validator("direction_values")
    @classmethod
    def _check_directions(cls, value: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for word, direction in value.items():
            if direction not in ("in", "out"):
                raise ValueError(f"{word!r}: {direction!r} must be \"in\" or \"out\"")
            out[word.strip().casefold()] = direction
        return out


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def shorten(text: str, limit: int = SHORT_SUMMARY) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",.;: ") + "…"


class DocumentsRestConnector(Connector):
    Config = DocumentsRestConfig
    kind = "documents_rest"

    def __init__(self, name: str, config: DocumentsRestConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: DocumentsRestConfig = config
        parts = urlsplit(config.url)
        self.where = safe_url(config.url)
        self.list_id = f"{name}/list"
        self._token = config.token.get_secret_value() if config.token else ""
        secrets = [self._token, parts.password or "", parts.query]
        self._mask = SecretMask(s for s in secrets if s)
        mask_in_httpx_log(s for s in secrets if s)
        # Credentials leave the URL for an auth object, so the URL httpx logs carries none.
        self._auth = httpx.BasicAuth(parts.username or "", parts.password or "") if parts.username else None
        self._request_url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        self._reader = ItemReader(config.fields.model_dump(), config.direction_values)
        self.cache = (ctx.resolve_path(config.cache_dir) if config.cache_dir
                      else paths.cache_dir() / "documents" / safe_name(name))
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        # Loop state: the last register read, and its files.
        self._items: list[DocumentItem] = []
        self._source_time = 0.0
        self._problems: list[str] = []
        self._files: dict[str, str] = {}  # stem -> local copy
        self._finished_meanwhile: dict[str, str] = {}  # stem -> local copy, done since the last look at the folder
        self._failed: dict[str, tuple[str, bool]] = {}  # stem -> (why, final: not tried again for this URL)
        self._cache_problem = ""
        self._downloads: dict[str, asyncio.Task[None]] = {}  # stem -> its download
        self._published_sources: list[Source] | None = None

    def declared_sources(self) -> list[Source]:
        return [self._list_source()]

    def _list_source(self) -> Source:
        return Source(id=self.list_id, kind=SourceKind.DOCUMENT_LIST, name=self.config.title, connector=self.name,
                      detail=self.where)

    # -- lifecycle, on the loop -------------------------------------------------------------
    async def start(self) -> None:
        cfg = self.config
        self._slots = asyncio.Semaphore(DOWNLOADS_AT_ONCE)
        self._published_sources = None
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(cfg.timeout_s), follow_redirects=True)
        await self._poll()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.config.poll_s)
            await self._poll()

    async def stop(self) -> None:
        downloads = list(self._downloads.values())
        for task in downloads:
            task.cancel()
        if downloads:
            await asyncio.gather(*downloads, return_exceptions=True)
        self._downloads.clear()
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- the register -------------------------------------------------------------------------
    async def _poll(self) -> None:
        body = await self._fetch()
        items, problems = await self.in_thread(self._parse, body)
        for problem in problems:
            self.ctx.reject_payload(problem)
        self._items, self._problems, self._source_time = items, problems, time.time()
        if self.config.download:
            await self._sync_files()
        self._publish()

    def _headers(self, url: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self._token and _origin(url) == _origin(self._request_url):
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    async def _fetch(self) -> bytes:
        assert self._client is not None, "poll before start"
        headers = {"Accept": "application/json", **self._headers(self._request_url)}
        return await get_body(self._client, self._request_url, f"GET {self.where}", self.config.timeout_s,
                              self._mask, headers, self._auth or httpx.USE_CLIENT_DEFAULT)

    def _parse(self, body: bytes) -> tuple[list[DocumentItem], list[str]]:
        """Decode and read the papers; on the worker thread (a long register must not freeze the screen)."""
        return read_items(json_list(body, self.config.items_path, f"GET {self.where}"), self._reader)

    # -- files --------------------------------------------------------------------------------
    def _wanted(self) -> dict[str, DocumentItem]:
        """stem -> paper, for the newest papers whose files are kept."""
        newest = [i for i in self._items if i.url][: self.config.keep_files]
        return {stem_for(i.id, self._file_url(i)): i for i in newest}

    def _file_url(self, item: DocumentItem) -> str:
        return urljoin(self._request_url, item.url)

    async def _sync_files(self) -> None:
        wanted = self._wanted()
        self._finished_meanwhile = {}
        try:
            present = await self.in_thread(tidy, self.cache, set(wanted), set(self._downloads))
            # A download that ended while the folder was being looked at is not in what it saw.
            self._files = present | {s: f for s, f in self._finished_meanwhile.items() if s in wanted}
            self._cache_problem = ""
        except OSError as exc:
            self._files = {}
            self._cache_problem = f"cache folder {self.cache}: {exc.strerror or exc}"
            return
        self._failed = {stem: why for stem, why in self._failed.items() if stem in wanted}
        for stem, item in wanted.items():
            if stem in self._files or stem in self._downloads:
                continue
            failed = self._failed.get(stem)
            if failed is not None and failed[1]:
                continue  # too large: the same file would be too large again
            task = asyncio.ensure_future(self._download(stem, item))
            self._downloads[stem] = task
            task.add_done_callback(functools.partial(self._forget, stem))

    def _forget(self, stem: str, task: asyncio.Task[None]) -> None:
        if self._downloads.get(stem) is task:
            del self._downloads[stem]

    async def _download(self, stem: str, item: DocumentItem) -> None:
        assert self._slots is not None
        async with self._slots:
            url = self._file_url(item)
            try:
                if urlsplit(url).scheme not in ("http", "https"):
                    raise _NotHttp
                path = await self._fetch_file(stem, url)
            except _NotHttp:
                self._failed[stem] = (f"{item.number}: file URL is not http(s), not downloaded", True)
            except TooLarge:
                self._failed[stem] = (f"{item.number}: file larger than {self.config.max_download_mb:g} MB, "
                                      f"not downloaded", True)
            except (TimeoutError, httpx.TimeoutException):
                self._failed[stem] = (f"{item.number}: file not downloaded (no answer within "
                                      f"{self._download_deadline():g} s)", False)
            except httpx.HTTPError as exc:
                self._failed[stem] = (f"{item.number}: file not downloaded "
                                      f"({self._mask.mask(transport_reason(exc))})", False)
            except OSError as exc:
                self._failed[stem] = (f"{item.number}: file not saved ({exc.strerror or exc})", False)
            except _HttpStatus as exc:
                self._failed[stem] = (f"{item.number}: file not downloaded (HTTP {exc.status} from "
                                      f"{safe_url(url)})", False)
            else:
                self._failed.pop(stem, None)
                self._files[stem] = path
                self._finished_meanwhile[stem] = path
                self.ctx.log.info("downloaded the file of %s", item.number)
        self._downloads.pop(stem, None)
        if self._client is not None:
            self._publish()

    def _download_deadline(self) -> float:
        # A 50 MB scan over a slow office link takes a while; a stuck one must still let its slot go.
        return max(120.0, 10 * self.config.timeout_s)

    async def _fetch_file(self, stem: str, url: str) -> str:
        assert self._client is not None
        limit = self.config.max_download_mb * 1024 * 1024
        async with asyncio.timeout(self._download_deadline()):
            async with self._client.stream("GET", url, headers=self._headers(url)) as response:
                if response.status_code >= 400:
                    raise _HttpStatus(response.status_code)
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > limit:
                    raise TooLarge
                ext = extension(str(response.url), response.headers.get("Content-Type", ""),
                                response.headers.get("Content-Disposition", ""))
                part = PartFile(self.cache, stem, ext)
                await self.in_thread(part.open)
                try:
                    size = 0
                    async for chunk in response.aiter_bytes(CHUNK):
                        size += len(chunk)
                        if size > limit:
                            raise TooLarge
                        await self.in_thread(part.write, chunk)
                    return await self.in_thread(part.commit)
                except BaseException:
                    await self.in_thread(part.discard)
                    raise

    # -- what the console sees ----------------------------------------------------------------
    def _publish(self) -> None:
        files = {}
        if self.config.download:
            files = {item.id: self._files[stem] for stem, item in self._wanted().items() if stem in self._files}
        items = tuple(replace(i, file=files.get(i.id, "")) for i in self._items)
        sources = [self._list_source()] + [self._doc_source(i) for i in items if i.file]
        if sources != self._published_sources:
            self._published_sources = sources
            self.ctx.set_sources(sources)
        self.ctx.publish(DocumentListing(self.list_id, items, self._source_time))
        self.ctx.set_status(self._status())

    def _doc_source(self, item: DocumentItem) -> Source:
        # A paper's id may hold "?" or spaces: quoted, so a tile's "?page=2" stays a setting.
        sid = f"{self.name}/doc/{quote(item.id, safe='-_.~:@+,;=/')}"
        name = f"{item.number} · {shorten(item.summary)}" if item.summary else item.number
        day = "/".join(reversed(item.date.split("-")))
        detail = " · ".join(p for p in (item.issuer, day) if p)
        return Source(id=sid, kind=SourceKind.DOCUMENT, name=name, connector=self.name, detail=detail,
                      tags=(item.direction,), file=item.file)

    def _status(self) -> str:
        """Bad papers, then files that could not be fetched: each list cut on its own, so a flood of
        one kind never hides the other."""
        papers = list(self._problems)
        if self._cache_problem:
            papers.append(self._cache_problem)
        wanted = self._wanted() if self.config.download else {}
        files = [why for stem, (why, _final) in self._failed.items() if stem in wanted]
        text = "; ".join(summarize(part) for part in (papers, files) if part)
        if self._downloads:
            n = len(self._downloads)
            busy = f"downloading {n} file{'' if n == 1 else 's'}"
            text = f"{busy}; {text}" if text else busy
        return self._mask.mask(text)


class _HttpStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _NotHttp(Exception):
    pass
