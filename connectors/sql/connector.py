"""SqlConnector: KPI values polled from a database with one query, incrementally.

The query returns the columns ``indicator, unit, time, value`` (and optionally ``quality``) and may
use ``:since``, the epoch seconds of the newest time read so far, so each poll reads only new rows.
A SQLite file is read through sqlite-utils on a read-only connection; any other SQLAlchemy URL
(PostgreSQL through psycopg, ...) through an engine with pre-ping. Every query runs on a worker
thread; the asyncio loop only waits. A password, in the URL or in ``password``, never appears in a
log line, a status or a health error: those name the database by its URL with the password masked.
"""

from __future__ import annotations

import asyncio
import math
import re
import sqlite3
import time
from typing import Any
from urllib.parse import quote

import sqlite_utils
from pydantic import Field, SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, SQLAlchemyError

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from connectors.kpi_rows import RowError, RowReader, summarize, to_epoch
from console.logmask import SecretMask
from console.model.kpi import KpiSample

REQUIRED_COLUMNS = ("indicator", "unit", "time", "value")
SINCE = re.compile(r"(?<![:\w]):since\b")
# The loop's own guard on top of the database's timeouts, for drivers that ignore them.
GUARD_S = 5.0
SQLITE_PROGRESS_STEPS = 10_000  # how often (in SQLite VM steps) the query checks its deadline


class SqlConfig(ConnectorConfig):
    # New rows may come once an hour or once a day: only a long silence is suspicious.
    stale_after_s: float = Field(3600.0, gt=0, le=31 * 86400, title="Stale after",
                                 json_schema_extra={"unit": "s"},
                                 description="Health turns 'stale' when no new value was read for this long.")
    url: str = Field(
        title="Database", min_length=1,
        description="A SQLite file path, sqlite:///path, or a SQLAlchemy URL such as "
                    "postgresql+psycopg://reader@db.example.vn:5432/ioc (password masked in every message)",
        examples=["/srv/ioc/kpi.sqlite", "postgresql+psycopg://reader@db.example.vn:5432/ioc"],
    )
    password: SecretStr | None = Field(None, title="Password",
                                       description="Put into the URL when set; never logged or shown")
    query: str = Field(
        title="Query", min_length=1,
        description="SQL returning indicator, unit, time, value [, quality]; :since is the epoch seconds "
                    "of the newest time already read",
    )
    every_s: float = Field(10.0, gt=0, le=86400, title="Poll interval", json_schema_extra={"unit": "s"})
    history_s: float = Field(30 * 86400.0, ge=0, le=20 * 366 * 86400, title="History on start",
                             json_schema_extra={"unit": "s"},
                             description="The first poll reads rows this far back (:since = now - this).")
    timeout_s: float = Field(10.0, gt=0, le=600, title="Query timeout", json_schema_extra={"unit": "s"},
                             description="Connecting and each query must finish within this.")


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite target (a plain path, or sqlite:///path); None for other databases."""
    if "://" not in url:
        return url
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


class SqlConnector(Connector):
    Config = SqlConfig
    kind = "sql"

    def __init__(self, name: str, config: SqlConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: SqlConfig = config
        path = sqlite_path(config.url.strip())
        # A relative file is the site's: taken from the site file's folder, whatever the working directory.
        self._path = ctx.resolve_path(str(path)) if path is not None else None
        self._url: URL | None = None
        self._engine: Engine | None = None
        secrets = [config.password.get_secret_value()] if config.password else []
        self.where = str(self._path) if self._path is not None else "the database"
        if self._path is None:
            try:
                url = make_url(config.url.strip())
                secrets.append(url.password or "")
                if config.password:
                    url = url.set(password=config.password.get_secret_value())
                self._url = url
                self.where = url.render_as_string(hide_password=True)
            except ArgumentError:
                self._url = None  # start() says so, without echoing a URL that may hold a password
        self._mask = SecretMask(str(s) for s in secrets if s)
        self._params = bool(SINCE.search(config.query))
        self._since: float | None = None
        self._shown_problem = False
        self._reader = RowReader(ctx.indicators, ctx.units, ctx.formerly)

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        if self._since is None:
            # Kept across restarts: after an outage the next poll goes on from where the last one ended.
            self._since = time.time() - self.config.history_s
        await self._in_thread(self._open)
        await self._poll()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.config.every_s)
            await self._poll()

    async def stop(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await self.in_thread(engine.dispose)

    # -- on the loop ------------------------------------------------------------------------
    async def _in_thread(self, fn: Any, *args: Any) -> Any:
        guard = asyncio.timeout(self.config.timeout_s + GUARD_S)
        try:
            async with guard:
                return await self.in_thread(fn, *args)
        except TimeoutError:
            if not guard.expired():
                raise  # the database's own timeout, already told in words
            raise TimeoutError(f"{self.where}: no answer within {self.config.timeout_s:g} s") from None

    async def _poll(self) -> None:
        assert self._since is not None
        samples, problems, newest = await self._in_thread(self._read, self._since)
        if newest is not None:
            self._since = max(self._since, newest)
        for problem in problems:
            self.ctx.reject_payload(problem)
        if problems:
            self.ctx.set_status(summarize(problems))
            self._shown_problem = True
        elif samples and self._shown_problem:
            # The status tells of the last poll that read rows: a clean one clears an old problem.
            self.ctx.set_status("")
            self._shown_problem = False
        if samples:
            self.ctx.publish_samples(samples)

    # -- on a worker thread -----------------------------------------------------------------
    def _open(self) -> None:
        if self._path is not None:
            if not self._path.is_file():
                raise FileNotFoundError(f"SQLite database {self._path} does not exist")
            self._sqlite_rows("SELECT 1", None)  # is it a database at all?
            return
        if self._url is None:
            raise ValueError("the database URL cannot be read: expected a file path, sqlite:///path or "
                             "dialect+driver://user@host:port/database")
        connect_args: dict[str, Any] = {}
        if self._url.get_backend_name() == "postgresql":
            # The server ends a query that runs too long; libpq gives up on a silent host.
            connect_args = {"connect_timeout": max(2, math.ceil(self.config.timeout_s)),
                            "options": f"-c statement_timeout={int(self.config.timeout_s * 1000)}"}
        try:
            self._engine = create_engine(self._url, pool_pre_ping=True, connect_args=connect_args)
            with self._engine.connect():
                pass
        except (NoSuchModuleError, ArgumentError) as exc:
            raise ValueError(self._masked(f"{self.where}: {first_line(exc)}")) from None
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    def _read(self, since: float) -> tuple[list[KpiSample], list[str], float | None]:
        params = {"since": since} if self._params else None
        if self._path is not None:
            rows = self._sqlite_rows(self.config.query, params)
        else:
            rows = self._sqlalchemy_rows(params)
        return self._samples(rows)

    def _sqlite_rows(self, query: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
        assert self._path is not None
        if not self._path.is_file():
            raise FileNotFoundError(f"SQLite database {self._path} does not exist")
        try:
            # Read-only: the console never writes to a department's database, nor creates an empty one.
            conn = sqlite3.connect(f"file:{quote(str(self._path.resolve()))}?mode=ro", uri=True,
                                   timeout=self.config.timeout_s, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ConnectionError(f"{self.where}: {exc}") from None
        deadline = time.monotonic() + self.config.timeout_s
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_PROGRESS_STEPS)
        try:
            return list(sqlite_utils.Database(conn).query(query, params))
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                limit = self.config.timeout_s
                raise TimeoutError(f"{self.where}: the query ran longer than {limit:g} s") from None
            raise RuntimeError(f"{self.where}: {exc}") from None
        except (sqlite3.Error, ValueError) as exc:
            raise RuntimeError(f"{self.where}: {exc}") from None
        finally:
            conn.close()

    def _sqlalchemy_rows(self, params: dict[str, Any] | None) -> list[dict[str, Any]]:
        assert self._engine is not None, "poll before open"
        try:
            with self._engine.connect() as conn:
                result = conn.execute(text(self.config.query), params or {})
                return [dict(row._mapping) for row in result]
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    def _samples(self, rows: list[dict[str, Any]]) -> tuple[list[KpiSample], list[str], float | None]:
        samples: list[KpiSample] = []
        problems: list[str] = []
        newest: float | None = None
        if not rows:
            return samples, problems, newest
        columns = {str(k).lower(): k for k in rows[0]}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise RuntimeError(f"{self.where}: the query's result has no {', '.join(map(repr, missing))} "
                               f"column{'s' if len(missing) > 1 else ''} "
                               f"(it has {', '.join(map(str, rows[0])) or 'none'}); expected "
                               f"{', '.join(REQUIRED_COLUMNS)} [, quality]")
        ind_k, unit_k, time_k, value_k = (columns[c] for c in REQUIRED_COLUMNS)
        quality_k = columns.get("quality")
        for number, row in enumerate(rows, start=1):
            raw_time = row[time_k]
            try:
                # Even a row with another bad field moves :since on, so it is reported once, not every poll.
                when = to_epoch(raw_time)
                newest = when if newest is None else max(newest, when)
            except (ValueError, TypeError):
                pass
            try:
                samples.append(self._reader.sample(row[ind_k], row[unit_k], raw_time, row[value_k],
                                             row[quality_k] if quality_k is not None else None))
            except RowError as exc:
                problems.append(f"row {number}: {exc}")
        return samples, problems, newest

    def _error(self, exc: SQLAlchemyError) -> Exception:
        """A one-line error naming the database, its password masked, for the health line."""
        orig = exc.orig if isinstance(exc, DBAPIError) else None
        detail = first_line(orig) if orig is not None else first_line(exc)
        message = self._masked(f"{self.where}: {detail}")
        return ConnectionError(message) if isinstance(exc, OperationalError) else RuntimeError(message)

    def _masked(self, message: str) -> str:
        return self._mask.mask(message)
