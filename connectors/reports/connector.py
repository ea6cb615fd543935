"""ReportsConnector: a watched folder of departments' periodic reports (CSV, XLSX), imported file by file.

Every ``every_s`` the folder is listed; a file that is new, or whose modification time or size
changed, is read on the connector's own worker thread. A file is imported whole or not at all, so a
half-filled report never reaches the wall: one bad row holds back the whole file and is reported as
``report.xlsx row 4: value: 'abc' is not a number``, while the other files load. A file that looks
half written (just modified and still changing, or a fresh workbook that does not open yet) is read
on a later look instead of being reported. The status line shows a long import's progress, then
the totals and the latest problem.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatch

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from connectors.kpi_rows import RowReader
from connectors.reports.tables import BeingWritten, Columns, ReportProblem, Stopped, read_report

WRITING_S = 2.0  # a file modified this recently may still be being written
PROGRESS_EVERY_S = 0.2  # the status line changes at most five times a second
PROGRESS_MIN_ROWS = 1000  # smaller files load in a blink: no progress line for them
STOP_WAIT_S = 4.0  # the supervisor gives stop() 5 s in all


class ReportColumns(BaseModel):
    """Header names of the report columns. Besides these, Vietnamese headers are always accepted
    (chỉ tiêu, đơn vị / mã đơn vị, thời gian / kỳ / ngày, giá trị, chất lượng), in any case."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator: str = Field("indicator", min_length=1, title="Indicator column")
    unit: str = Field("unit", min_length=1, title="Unit column")
    time: str = Field("time", min_length=1, title="Time column")
    value: str = Field("value", min_length=1, title="Value column")
    quality: str = Field("quality", min_length=1, title="Quality column")


class ReportsConfig(ConnectorConfig):
    # Reports come daily, weekly or monthly: a quiet folder is normal for days.
    stale_after_s: float = Field(7 * 86400.0, gt=0, le=400 * 86400, title="Stale after",
                                 json_schema_extra={"unit": "s"},
                                 description="Health turns 'stale' when no report came in for this long.")
    folder: str = Field(title="Folder", min_length=1, description="Where departments drop their reports",
                        examples=["/srv/ioc/reports"])
    every_s: float = Field(5.0, gt=0, le=3600, title="Look every", json_schema_extra={"unit": "s"},
                           description="How often the folder is checked for new or changed files.")
    patterns: tuple[str, ...] = Field(("*.csv", "*.xlsx"), min_length=1, title="File patterns",
                                      description="Which file names are reports (compared without case)")
    columns: ReportColumns = Field(default_factory=ReportColumns, title="Column headers")
    indicator: str = Field("", title="Fixed indicator",
                           description="Indicator id for files without an indicator column")
    sheet: str = Field("", title="Sheet", description='Worksheet of an XLSX file to read ("" = the first)')

    @field_validator("patterns")
    @classmethod
    def _check_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(p.strip() for p in value)
        if any(not p or "/" in p or os.sep in p for p in cleaned):
            raise ValueError("expected file name patterns such as *.csv, without folders")
        return cleaned


class ReportsConnector(Connector):
    Config = ReportsConfig
    kind = "reports"

    def __init__(self, name: str, config: ReportsConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: ReportsConfig = config
        self.folder = ctx.resolve_path(config.folder)  # a relative folder is taken from the site file's
        self._reader = RowReader(ctx.indicators, ctx.units, ctx.formerly, config.indicator)
        self._columns = Columns(**config.columns.model_dump())
        self._patterns = tuple(p.lower() for p in config.patterns)
        # Worker-thread state (one look at a time): what each file looked like when last handled.
        self._handled: dict[str, tuple[int, int]] = {}
        self._seen_last: dict[str, tuple[int, int]] = {}
        self._loaded: dict[str, int] = {}  # file -> values imported from it
        self._problems: dict[str, str] = {}  # file -> why it is not loaded, the latest last
        self._last_progress = 0.0
        self._stop = threading.Event()
        self._executor: ThreadPoolExecutor | None = None

    # -- lifecycle, on the loop -------------------------------------------------------------
    async def start(self) -> None:
        if not self.folder.is_dir():
            what = "is not a folder" if self.folder.exists() else "does not exist"
            raise FileNotFoundError(f"report folder {self.folder} {what}")
        self._stop.clear()
        self._seen_last = {}
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"reports-{self.name}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            assert self._executor is not None, "run() before start()"
            await loop.run_in_executor(self._executor, self._look)
            await asyncio.sleep(self.config.every_s)

    async def stop(self) -> None:
        self._stop.set()  # a look in progress abandons its file within a few hundred rows
        executor, self._executor = self._executor, None
        if executor is None:
            return
        try:
            async with asyncio.timeout(STOP_WAIT_S):
                await self.in_thread(functools.partial(executor.shutdown, True, cancel_futures=True))
        except TimeoutError:
            self.ctx.log.warning("the report reader did not stop within %g s", STOP_WAIT_S)

    # -- on the worker thread ---------------------------------------------------------------
    def _look(self) -> None:
        if not self.folder.is_dir():
            raise FileNotFoundError(f"report folder {self.folder} is gone")
        now = time.time()
        current = self._listing()
        changed = False
        for name in [n for n in self._handled if n not in current]:
            # A removed report is forgotten; its values stay on the wall until newer ones come.
            self._handled.pop(name)
            self._loaded.pop(name, None)
            self._problems.pop(name, None)
            changed = True
        # Oldest first: where two reports give the same indicator, unit and time, the newer one wins.
        for name in sorted(current, key=lambda n: (current[n][0], n)):
            if self._stop.is_set():
                return
            signature = current[name]
            if self._handled.get(name) == signature:
                continue
            fresh = now - signature[0] / 1e9 < WRITING_S
            if fresh and self._seen_last.get(name) != signature:
                continue  # just written and still changing, maybe: read it on the next look
            if self._import(name, fresh):
                self._handled[name] = signature
                changed = True
        self._seen_last = current
        if changed and not self._stop.is_set():
            self.ctx.set_status(self._summary())

    def _listing(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = entry.name
                # Hidden files and Excel's lock files (~$report.xlsx) are not reports.
                if name.startswith((".", "~$")) or not any(fnmatch(name.lower(), p) for p in self._patterns):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # gone between listing and looking
                out[name] = (st.st_mtime_ns, st.st_size)
        return out

    def _import(self, name: str, fresh: bool) -> bool:
        """Read one file; False when it should be looked at again later."""
        path = self.folder / name
        try:
            samples = read_report(path, self._reader, self._columns, self.config.sheet, fresh,
                                  progress=lambda done, total: self._progress(name, done, total),
                                  stop=self._stop.is_set)
        except (BeingWritten, Stopped, FileNotFoundError):
            return False
        except ReportProblem as exc:
            self._not_loaded(name, str(exc))
            return True
        except Exception as exc:  # one odd file must not stop the others from loading
            if not isinstance(exc, OSError):
                self.ctx.log.exception("reading %s failed", name)
            strerror = exc.strerror if isinstance(exc, OSError) else None
            reason = strerror or f"{type(exc).__name__}: {exc}"
            self._not_loaded(name, f"{name}: cannot be read ({reason})")
            return True
        if self._stop.is_set():
            return False
        self._problems.pop(name, None)
        self._loaded[name] = len(samples)
        if samples:
            self.ctx.publish_samples(samples)
        self.ctx.log.info("imported %s: %d values", name, len(samples))
        return True

    def _not_loaded(self, name: str, problem: str) -> None:
        self._loaded.pop(name, None)
        self._problems.pop(name, None)  # re-inserted: the latest problem is shown
        self._problems[name] = problem
        self.ctx.reject_payload(problem)

    def _progress(self, name: str, done: int, total: int) -> None:
        if (total or done) < PROGRESS_MIN_ROWS:
            return
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY_S:
            return
        self._last_progress = now
        self.ctx.set_status(f"{name}: {done}/{total} rows" if total else f"{name}: {done} rows read")

    def _summary(self) -> str:
        files = len(self._loaded)
        values = sum(self._loaded.values())
        text = f"{files} file{'' if files == 1 else 's'}, {values} value{'' if values == 1 else 's'} imported"
        if self._problems:
            latest = next(reversed(self._problems))
            text += f"; not loaded: {self._problems[latest]}"
            others = len(self._problems) - 1
            if others:
                text += f"; {others} more file{'' if others == 1 else 's'} not loaded"
        return text
