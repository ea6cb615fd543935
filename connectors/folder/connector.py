"""FolderConnector: a watched folder of documents (PDF, images, text, office files), one source per file.

Every ``poll_s`` the folder is listed on the connector's worker thread. A file that is new or whose
size changed since the last look and that was modified moments ago may still be being copied: it
waits one look before it is listed, so a tile never opens half a PDF. The sources are sent to the
console only when the list changed. A folder that is missing (a share not mounted) makes ``start``
or ``run`` raise "folder … not found", and the console shows the connector retrying; the sources
listed before stay, so a tile does not blank on a short network outage.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from pydantic import Field, field_validator

from connectors.api import Connector, ConnectorConfig, ConnectorContext
from console.model.sources import Source, SourceKind

DEFAULT_PATTERNS = ("pdf", "png", "jpg", "jpeg", "txt", "md", "docx", "doc", "odt", "xlsx", "ods", "pptx",
                    "odp", "rtf")
WRITING_S = 2.0  # a file modified this recently may still be being written
MAX_FILES = 5000  # a folder listing beyond this is a mistake in the settings (a whole share), not a wall


class FolderConfig(ConnectorConfig):
    # Nothing is "sent" while the folder is unchanged, and a folder of standing documents is quiet
    # for months: only a failing look (retrying) should alarm anyone.
    stale_after_s: float = Field(3650 * 86400.0, gt=0, le=3650 * 86400, title="Stale after",
                                 json_schema_extra={"unit": "s"})
    path: str = Field(title="Folder", min_length=1, description="Where the documents are (relative: to the site file)",
                      examples=["/srv/ioc/documents"])
    poll_s: float = Field(2.0, gt=0, le=3600, title="Look every", json_schema_extra={"unit": "s"})
    recursive: bool = Field(False, title="Include sub-folders")
    patterns: tuple[str, ...] = Field(DEFAULT_PATTERNS, min_length=1, title="File types", validate_default=True,
                                      description="Extensions (pdf) or name patterns (*.pdf), compared without case")

    @field_validator("patterns")
    @classmethod
    def _check_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned: list[str] = []
        for raw in value:
            p = raw.strip().lower()
            if not p or "/" in p or os.sep in p:
                raise ValueError("expected extensions such as pdf, or name patterns such as *.pdf, without folders")
            # A bare extension ("pdf", ".pdf") is the pattern "*.pdf".
            cleaned.append(p if any(c in p for c in "*?[") else "*." + p.lstrip("."))
        return tuple(cleaned)


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime: float


def display_name(file_name: str) -> str:
    """'Bao_cao_tuan_12.pdf' -> 'Bao cao tuan 12': what a person calls the file."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name.lstrip(".") else file_name
    return " ".join(stem.replace("_", " ").split()) or file_name


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")  # Vietnamese decimal comma, as on the tiles


class FolderConnector(Connector):
    Config = FolderConfig
    kind = "folder"

    def __init__(self, name: str, config: FolderConfig, ctx: ConnectorContext) -> None:
        super().__init__(name, config, ctx)
        self.config: FolderConfig = config
        self.folder = ctx.resolve_path(config.path)
        # Worker-thread state (one look at a time).
        self._last_look: dict[str, _Seen] = {}
        self._listed: dict[str, _Seen] = {}  # relative path -> what it looked like when listed
        self._published: list[Source] | None = None

    async def start(self) -> None:
        self._last_look = {}
        self._published = None  # after a failure the console gets the list again, whatever it had
        await self.in_thread(self._look)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.config.poll_s)
            await self.in_thread(self._look)

    # -- on the worker thread ---------------------------------------------------------------
    def _look(self) -> None:
        if not self.folder.is_dir():
            what = "is not a folder" if self.folder.exists() else "not found"
            raise FileNotFoundError(f"folder {self.folder} {what}")
        now = time.time()
        current, truncated = self._scan()
        listed: dict[str, _Seen] = {}
        for rel, seen in current.items():
            before = self._listed.get(rel)
            settled = self._last_look.get(rel) == seen or now - seen.mtime >= WRITING_S
            if settled:
                listed[rel] = seen
            elif before is not None:
                listed[rel] = before  # being rewritten: the tile keeps the old listing until it settles
        self._last_look = current
        self._listed = listed
        sources = sorted((self._source(rel, seen) for rel, seen in listed.items()),
                         key=lambda s: (s.name.casefold(), s.id))
        if sources != self._published:
            self._published = sources
            self.ctx.set_sources(sources)
            status = f"{len(sources)} document{'' if len(sources) == 1 else 's'}"
            if truncated:
                status += f"; only the first {MAX_FILES} files are listed: narrow the folder or the file types"
            self.ctx.set_status(status)

    def _scan(self) -> tuple[dict[str, _Seen], bool]:
        out: dict[str, _Seen] = {}
        stack = [self.folder]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                if folder == self.folder:
                    raise
                continue  # a sub-folder we may not read, or one removed while we looked
            for entry in entries:
                name = entry.name
                # Hidden files, and the lock files office programs keep beside an open document (~$x.docx).
                if name.startswith((".", "~$")):
                    continue
                try:
                    if entry.is_dir():
                        if self.config.recursive and not entry.is_symlink():
                            stack.append(Path(entry.path))
                        continue
                    if not entry.is_file() or not any(fnmatch(name.lower(), p) for p in self.config.patterns):
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # gone between listing and looking
                rel = Path(entry.path).relative_to(self.folder).as_posix()
                out[rel] = _Seen(st.st_size, st.st_mtime)
                if len(out) >= MAX_FILES:
                    return out, True
        return out, False

    def _source(self, rel: str, seen: _Seen) -> Source:
        file_name = rel.rsplit("/", 1)[-1]
        ext = file_name.rsplit(".", 1)[-1].upper() if "." in file_name.lstrip(".") else ""
        stamp = time.strftime("%d/%m/%Y %H:%M", time.localtime(seen.mtime))
        detail = " · ".join(part for part in (ext, size_text(seen.size), stamp) if part)
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if folder:
            detail += f" · {folder}"
        return Source(id=f"{self.name}/{rel}", kind=SourceKind.DOCUMENT, name=display_name(file_name),
                      connector=self.name, detail=detail, file=str(self.folder / rel))
