"""The local copies of a register's files: where they go, which to keep, and one download at a time.

A copy is written to ``<stem><ext>.part`` and renamed when complete, so a file under its final name is
always whole. The stem holds the item's id and a hash of its URL: a paper whose file the system
replaced (a new URL) is fetched again. Blocking file work runs on the connector's worker thread.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from email.message import Message
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

PART = ".part"
_UNSAFE = re.compile(r"[^\w.-]+")
_EXT = re.compile(r"\.[a-z0-9]{1,5}")
TYPES = {  # what document-management systems send, where mimetypes has no or an odd answer
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
}


class TooLarge(Exception):
    pass


def safe_name(text: str, limit: int = 60) -> str:
    return _UNSAFE.sub("_", text).strip("._")[:limit] or "_"


def stem_for(item_id: str, url: str) -> str:
    return f"{safe_name(item_id)}-{hashlib.sha1(url.encode()).hexdigest()[:10]}"


def extension(url: str, content_type: str, disposition: str) -> str:
    """The file's extension, so the document painter knows what it is: from the served file name, the
    URL's path, then the content type."""
    if disposition:
        msg = Message()
        msg["content-disposition"] = disposition
        name = msg.get_filename() or ""
        suffix = Path(name).suffix.lower()
        if _EXT.fullmatch(suffix):
            return suffix
    suffix = Path(unquote(urlsplit(url).path)).suffix.lower()
    if _EXT.fullmatch(suffix):
        return suffix
    mime = content_type.split(";")[0].strip().lower()
    return TYPES.get(mime) or mimetypes.guess_extension(mime) or ".bin"


def tidy(folder: Path, wanted: set[str], busy: set[str]) -> dict[str, str]:
    """Make the folder and delete what is no longer wanted (papers dropped from the newest, files
    left half-written by a crash); return stem -> path of the complete copies present."""
    folder.mkdir(parents=True, exist_ok=True)
    present: dict[str, str] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            stem = name[: -len(PART)] if name.endswith(PART) else name
            stem = stem.rsplit(".", 1)[0] if "." in stem else stem
            if not entry.is_file(follow_symlinks=False):
                continue
            if name.endswith(PART):
                if stem not in busy:
                    _unlink(entry.path)
            elif stem in wanted and stem not in present:
                present[stem] = entry.path
            elif stem not in busy:
                _unlink(entry.path)
    return present


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class PartFile:
    """A copy being written; every method blocks (call it on the worker thread)."""

    def __init__(self, folder: Path, stem: str, ext: str) -> None:
        self.final = folder / f"{stem}{ext}"
        self.part = folder / f"{stem}{ext}{PART}"
        self._fh: BinaryIO | None = None

    def open(self) -> None:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.part, "wb")  # noqa: SIM115 (closed by commit or discard)

    def write(self, chunk: bytes) -> None:
        assert self._fh is not None
        self._fh.write(chunk)

    def commit(self) -> str:
        assert self._fh is not None
        self._fh.close()
        self._fh = None
        os.replace(self.part, self.final)
        return str(self.final)

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        _unlink(str(self.part))
