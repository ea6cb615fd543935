"""DocumentCache: opens a document file once and renders its pages for wall tiles, cached.

PDFs render through QtPdf (pdfium), pictures through QImageReader, text and Markdown through
QTextDocument, and office files (.docx, .odt, .xlsx, .pptx...) are first converted to PDF by
LibreOffice on a background thread, the PDF kept in ``cache_dir()/documents`` keyed by the file's
path, mtime and size. Every view (each wall display, the operator's miniature) asks for the page at
its own device size and gets an image rendered once at exactly that size, so text stays sharp.

Rendering a page costs, on the GUI thread (median of runs on a 2-core development VM, offscreen; an
A4 portrait PDF page of 70 lines of text and 20 vector shapes; only the visible part is rendered):

    tile 1920x1080, fit page   (page  764x1080 px):  20-35 ms
    tile 1920x1080, fit width  (page 1920x2716 px):  ~30 ms
    tile 3840x2160, fit page   (page 1528x2160 px):  45-65 ms
    tile 3840x2160, fit width  (page 3840x5431 px):  105-130 ms
    Markdown page (A4 landscape) at 1920x1080 / 3840x2160:  2-18 ms / 65-95 ms (big glyphs are paths)

hence the LRU of rendered images: a page is rendered once per size, and repaints only blit it.
Thread: GUI thread, except the conversion worker, which touches no Qt object.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QCoreApplication, QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QImage,
    QImageReader,
    QPainter,
    QPalette,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions

from console.paths import cache_dir
from widgets.picture_cache import PictureCache

log = logging.getLogger(__name__)

OFFICE = {".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp"}
TEXT = {".txt", ".text", ".log", ".csv"}
MARKDOWN = {".md", ".markdown"}

# Text is laid out on a fixed A4-landscape page rather than the tile's shape: the tile's reference
# says "page 3", and page 3 must hold the same words on a 4K display, a 1080p one and the operator's
# miniature. Landscape suits the wall's 16:9 tiles; the page scales with the tile, and so does the text.
TEXT_PAGE = QSizeF(1123, 794)  # A4 landscape at 96 dpi
TEXT_MARGIN = 56
TEXT_PX = 28  # about 35 px on a 1080p tile: readable from 5-8 m
TEXT_INK = QColor(25, 28, 34)
PAPER = QColor(255, 255, 255)
CONVERTED_KEEP = 200  # converted PDFs kept on disk, the most recently used first
CONVERTED_KEEP_BYTES = 512 * 1024 * 1024
MAX_TEXT_BYTES = 2 * 1024 * 1024  # beyond this a text file would take seconds to lay out on the GUI thread
MAX_IMAGE_SIDE = 6144  # bigger pictures are decoded scaled down: enough for a 4K tile at 1.6x zoom

CONVERT_TIMEOUT_S = 60.0
MAX_IMAGES = 64
MAX_IMAGE_BYTES = 256 * 1024 * 1024
MAX_OPEN = 32  # documents kept open (pdfium handles, laid-out texts, decoded pictures)
RECHECK_S = 1.0  # how often a file is looked at for changes on disk

State = Literal["loading", "converting", "ready", "error"]


def find_converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def error_text(code: str, suffix: str = "") -> str:
    """The headline for an error code, in the current language (so a language switch shows at once)."""
    texts = {
        "not_found": QCoreApplication.translate("DocumentRender", "File not found"),
        "damaged": QCoreApplication.translate("DocumentRender", "The file is damaged or not a PDF"),
        "password": QCoreApplication.translate("DocumentRender", "This PDF is protected by a password"),
        "image": QCoreApplication.translate("DocumentRender", "The picture cannot be read"),
        "unreadable": QCoreApplication.translate("DocumentRender", "The file cannot be read"),
        "too_large": QCoreApplication.translate("DocumentRender", "The text file is too large to show"),
        "unsupported": QCoreApplication.translate("DocumentRender", "%1 files cannot be shown"),
        "no_converter": QCoreApplication.translate(
            "DocumentRender", "No converter for %1 files on this machine (install LibreOffice)"),
        "convert_failed": QCoreApplication.translate("DocumentRender", "The conversion to PDF failed"),
        "convert_timeout": QCoreApplication.translate(
            "DocumentRender", "The conversion to PDF took longer than %1 s"),
        "render": QCoreApplication.translate("DocumentRender", "The page cannot be drawn"),
    }
    text = texts.get(code, QCoreApplication.translate("DocumentRender", "The document cannot be shown"))
    return text.replace("%1", suffix)


@dataclass
class LoadedDoc:
    """One opened file: its state, its pages' sizes, and what renders them."""

    path: str
    signature: tuple[int, int]  # (mtime_ns, size) when opened; a change reopens it
    state: State = "loading"
    error_code: str = ""
    error_arg: str = ""
    detail: str = ""  # the file's name, or the converter's own words
    page_sizes: list[QSizeF] = field(default_factory=list)  # points (PDF), pixels (picture), layout units (text)
    pdf: QPdfDocument | None = None
    image: QImage | None = None
    text: QTextDocument | None = None
    checked_at: float = 0.0

    @property
    def page_count(self) -> int:
        return len(self.page_sizes)

    @property
    def error(self) -> str:
        return error_text(self.error_code, self.error_arg) if self.state == "error" else ""

    def fail(self, code: str, detail: str = "", arg: str = "") -> LoadedDoc:
        self.state, self.error_code, self.detail, self.error_arg = "error", code, detail, arg
        self.page_sizes = []
        return self

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()  # pdfium lets go of the file now, not when Python collects the object
        self.pdf = self.text = self.image = None


@dataclass
class _Job:
    key: str
    source: str
    target: Path


def page_rect(r: QRectF, page_size: QSizeF, fit: str = "page", zoom: float = 1.0,
              cx: float = 0.5, cy: float = 0.5) -> QRectF:
    """Where the whole page lies for a view of rectangle ``r`` (it may reach beyond ``r`` when zoomed).

    ``fit`` "page" shows all of the page, "width" fills the width; ``zoom`` multiplies that, and the
    view is centred on the page's point ``cx, cy`` (0..1), kept on the page: no empty band shows
    beside a page that is bigger than the view, and a smaller one stays centred."""
    pw, ph = max(1e-6, page_size.width()), max(1e-6, page_size.height())
    zoom = max(1.0, zoom)
    # The side that fits is set exactly (no 1599.9999 px page leaving a hairline of tile beside it).
    if fit == "page" and r.height() / ph < r.width() / pw:
        h = r.height() * zoom
        w = h * pw / ph
    else:
        w = r.width() * zoom
        h = w * ph / pw

    def place(lo: float, size: float, length: float, c: float) -> float:
        if length <= size:
            return lo + (size - length) / 2
        return min(lo, max(lo + size - length, lo + size / 2 - c * length))

    return QRectF(place(r.left(), r.width(), w, cx), place(r.top(), r.height(), h, cy), w, h)


class DocumentCache:
    """Opened documents by path and their rendered pages (LRU). Thread: GUI thread."""

    def __init__(self, converter: str | None | Literal["auto"] = "auto", out_dir: Path | None = None,
                 convert_timeout_s: float = CONVERT_TIMEOUT_S) -> None:
        self.converter = find_converter() if converter == "auto" else converter
        self._out_dir = out_dir
        self.convert_timeout_s = convert_timeout_s
        self._docs: OrderedDict[str, LoadedDoc] = OrderedDict()
        self._images: PictureCache[tuple[QImage, QRectF]] = PictureCache(MAX_IMAGE_BYTES, MAX_IMAGES,
                                                                          picture=lambda entry: entry[0])
        self._last_check = 0.0
        self.renders = 0  # counted for tests and the benchmark
        # Shared with the conversion worker:
        self._lock = threading.Lock()
        self._jobs: deque[_Job] = deque()
        self._queued: set[str] = set()
        self._results: dict[str, tuple[str, str]] = {}  # key -> ("", "") done, or (error code, detail)
        self._worker: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._profile: str | None = None
        self._version = 0

    @property
    def _image_bytes(self) -> int:
        return self._images.bytes

    @property
    def version(self) -> int:
        """Grows whenever something finished in the background or a file changed: views repaint."""
        return self._version

    @property
    def out_dir(self) -> Path:
        return self._out_dir or cache_dir() / "documents"

    # -- opening -----------------------------------------------------------------------------
    def open(self, path: str) -> LoadedDoc:
        """The document at ``path``, opened on first use (converting office files in the background)."""
        now = time.monotonic()
        doc = self._docs.get(path)
        if doc is not None:
            self._docs.move_to_end(path)
            if now - doc.checked_at >= RECHECK_S:
                doc.checked_at = now
                if _signature(path) != doc.signature:
                    self._forget(path)
                    return self.open(path)
            if doc.state == "converting":
                self._collect(doc)
            return doc
        doc = self._load(path)
        doc.checked_at = now
        self._docs[path] = doc
        while len(self._docs) > MAX_OPEN:
            self._forget(next(iter(self._docs)))
        return doc

    def refresh(self) -> None:
        """Notice files changed on disk (at most once a second): bumps ``version`` so views repaint."""
        now = time.monotonic()
        if now - self._last_check < RECHECK_S:
            return
        self._last_check = now
        for path, doc in list(self._docs.items()):
            if doc.state != "converting" and _signature(path) != doc.signature:
                self._forget(path)
                with self._lock:
                    self._version += 1

    def _load(self, path: str) -> LoadedDoc:
        sig = _signature(path)
        doc = LoadedDoc(path, sig, detail=Path(path).name)
        if sig == (0, -1):
            return doc.fail("not_found", Path(path).name)
        suffix = Path(path).suffix.lower()
        if suffix == ".pdf":
            return self._load_pdf(doc, path)
        if suffix in TEXT or suffix in MARKDOWN:
            return self._load_text(doc, markdown=suffix in MARKDOWN)
        if suffix in OFFICE:
            return self._load_office(doc, suffix)
        if suffix.lstrip(".") in _image_suffixes():
            return self._load_image(doc)
        return doc.fail("unsupported", Path(path).name, suffix or Path(path).name)

    def _load_pdf(self, doc: LoadedDoc, pdf_path: str) -> LoadedDoc:
        pdf = QPdfDocument()
        err = pdf.load(pdf_path)
        if err != QPdfDocument.Error.None_ or pdf.status() != QPdfDocument.Status.Ready:
            pdf.close()
            code = {QPdfDocument.Error.FileNotFound: "not_found",
                    QPdfDocument.Error.IncorrectPassword: "password",
                    QPdfDocument.Error.UnsupportedSecurityScheme: "password"}.get(err, "damaged")
            return doc.fail(code, Path(doc.path).name)
        doc.pdf = pdf
        doc.page_sizes = [pdf.pagePointSize(i) for i in range(pdf.pageCount())]
        if not doc.page_sizes:
            doc.close()
            return doc.fail("damaged", Path(doc.path).name)
        doc.state = "ready"
        return doc

    def _load_image(self, doc: LoadedDoc) -> LoadedDoc:
        reader = QImageReader(doc.path)
        reader.setAutoTransform(True)  # phone photos carry their rotation in EXIF
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > MAX_IMAGE_SIDE:
            reader.setScaledSize(size.scaled(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            return doc.fail("image", f"{Path(doc.path).name}: {reader.errorString()}")
        doc.image = image
        doc.page_sizes = [QSizeF(image.size())]
        doc.state = "ready"
        return doc

    def _load_text(self, doc: LoadedDoc, markdown: bool) -> LoadedDoc:
        try:
            if os.path.getsize(doc.path) > MAX_TEXT_BYTES:
                return doc.fail("too_large", f"{Path(doc.path).name} (> {MAX_TEXT_BYTES // 2**20} MB)")
            raw = Path(doc.path).read_bytes()
        except OSError as exc:
            return doc.fail("unreadable", f"{Path(doc.path).name}: {exc.strerror or exc}")
        text = raw.decode("utf-8-sig", errors="replace")
        td = QTextDocument()
        font = QFont("Noto Sans")
        font.setPixelSize(TEXT_PX)
        td.setDefaultFont(font)
        td.setDocumentMargin(TEXT_MARGIN)  # applies to every page of a paginated document
        if markdown:
            td.setMarkdown(text)
        else:
            td.setPlainText(text)
        cursor = QTextCursor(td)
        cursor.select(QTextCursor.SelectionType.Document)
        spacing = QTextBlockFormat()
        spacing.setLineHeight(125, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor.mergeBlockFormat(spacing)
        td.setPageSize(TEXT_PAGE)
        doc.text = td
        doc.page_sizes = [QSizeF(TEXT_PAGE)] * max(1, td.pageCount())
        doc.state = "ready"
        return doc

    def _load_office(self, doc: LoadedDoc, suffix: str) -> LoadedDoc:
        key = _cache_key(doc.path, doc.signature)
        target = self.out_dir / f"{key}.pdf"
        if target.is_file():
            with contextlib.suppress(OSError):
                os.utime(target)  # used now: the pruning keeps it longest
            return self._load_pdf(doc, str(target))
        if self.converter is None:
            return doc.fail("no_converter", Path(doc.path).name, suffix)
        doc.state = "converting"
        with self._lock:
            if key not in self._queued:
                self._queued.add(key)
                self._jobs.append(_Job(key, doc.path, target))
            if self._worker is None:
                self._stopping = False
                self._worker = threading.Thread(target=self._work, name="doc-convert", daemon=True)
                self._worker.start()
        return doc

    def _collect(self, doc: LoadedDoc) -> None:
        key = _cache_key(doc.path, doc.signature)
        with self._lock:
            result = self._results.pop(key, None)
        if result is None:
            return
        code, detail = result
        if code:
            doc.fail(code, detail, f"{self.convert_timeout_s:g}" if code == "convert_timeout" else "")
        else:
            self._load_pdf(doc, str(self.out_dir / f"{key}.pdf"))

    def _forget(self, path: str) -> None:
        doc = self._docs.pop(path, None)
        if doc is not None:
            doc.close()
        for key in [k for k in self._images if k[0] == path]:  # type: ignore[index]
            self._images.pop(key)

    # -- rendering ---------------------------------------------------------------------------
    def page_size(self, path: str, page: int) -> QSizeF | None:
        doc = self.open(path)
        return doc.page_sizes[page - 1] if doc.state == "ready" and 1 <= page <= doc.page_count else None

    def page_image(self, path: str, page: int, width_px: int, height_px: int, fit: str = "page",
                   zoom: float = 1.0, cx: float = 0.5, cy: float = 0.5) -> tuple[QImage, QRectF] | None:
        """The visible part of page ``page`` (1-based) in a view of ``width_px`` x ``height_px`` device
        pixels, and where that image goes in the view (device pixels from its top-left corner).
        None while the document is not ready, for a page it does not have, or when drawing fails."""
        doc = self.open(path)
        if doc.state != "ready" or not 1 <= page <= doc.page_count or width_px < 1 or height_px < 1:
            return None
        key = (path, doc.signature, page, width_px, height_px, fit, zoom, cx, cy)
        hit = self._images.get(key)
        if hit is not None:
            return hit
        exact = page_rect(QRectF(0, 0, width_px, height_px), doc.page_sizes[page - 1], fit, zoom, cx, cy)
        # On whole pixels, so pdfium's clip and the page's edges line up with the image's pixels.
        full = QRect(round(exact.left()), round(exact.top()), round(exact.width()), round(exact.height()))
        visible = full.intersected(QRect(0, 0, width_px, height_px))
        if visible.isEmpty():
            return None
        try:
            image = self._render(doc, page - 1, full, visible)
        except Exception:  # a broken page must never take the painter down with it
            log.exception("rendering page %s of %s failed", page, Path(path).name)
            image = None
        if image is None or image.isNull():
            return None
        self.renders += 1
        entry = (image, QRectF(visible))
        self._images.put(key, entry)
        return entry

    def _render(self, doc: LoadedDoc, index: int, full: QRect, visible: QRect) -> QImage | None:
        out = QImage(visible.size(), QImage.Format.Format_RGB32)
        out.fill(PAPER)  # pdfium leaves unpainted parts transparent: pages are white paper
        p = QPainter(out)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        origin = QPointF(full.topLeft() - visible.topLeft())  # the page's corner in the output image
        try:
            if doc.pdf is not None:
                options = QPdfDocumentRenderOptions()
                options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.Annotations)  # stamps, notes
                options.setScaledSize(full.size())
                options.setScaledClipRect(visible.translated(-full.topLeft()))
                rendered = doc.pdf.render(index, visible.size(), options)
                if rendered.isNull():
                    return None
                p.drawImage(0, 0, rendered)
            elif doc.image is not None:
                p.drawImage(QRectF(origin, QSizeF(full.size())), doc.image)
            elif doc.text is not None:
                scale = full.width() / TEXT_PAGE.width()
                p.translate(origin)
                p.scale(scale, scale)
                top = index * TEXT_PAGE.height()
                p.translate(0, -top)
                clip = QRectF(0, top, TEXT_PAGE.width(), TEXT_PAGE.height())
                p.setClipRect(clip)
                ctx = QAbstractTextDocumentLayout.PaintContext()
                ctx.clip = clip
                palette = QPalette()
                palette.setColor(QPalette.ColorRole.Text, TEXT_INK)  # the app's dark theme has light text
                ctx.palette = palette
                doc.text.documentLayout().draw(p, ctx)
        finally:
            p.end()
        return out

    # -- conversion (worker thread: no Qt here) ---------------------------------------------
    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._jobs or self._stopping:
                    self._worker = None
                    return
                job = self._jobs.popleft()
            code, detail = self._convert(job)
            with self._lock:
                self._queued.discard(job.key)
                if self._stopping:
                    continue  # a stopped console's conversion: asked again on the next open
                self._results[job.key] = (code, detail)
                self._version += 1

    def _convert(self, job: _Job) -> tuple[str, str]:
        name = Path(job.source).name
        try:
            job.target.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                if self._profile is None:
                    # Its own profile: a LibreOffice the operator has open would otherwise take the job.
                    self._profile = tempfile.mkdtemp(prefix="ioc-doc-lo-")
                profile = Path(self._profile).as_uri()
            with tempfile.TemporaryDirectory(dir=job.target.parent, prefix="doc-") as tmp:
                assert self.converter is not None
                cmd = [self.converter, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                       "--nolockcheck", "--convert-to", "pdf", "--outdir", tmp, job.source]
                with self._lock:
                    if self._stopping:
                        return "convert_failed", name
                    # A session of its own, so a timeout or stop ends soffice.bin, not only its launcher.
                    proc = self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                         stderr=subprocess.STDOUT, start_new_session=True)
                try:
                    out, _ = proc.communicate(timeout=self.convert_timeout_s)
                except subprocess.TimeoutExpired:
                    _kill(proc)
                    proc.communicate()
                    return "convert_timeout", name
                finally:
                    with self._lock:
                        self._proc = None
                made = Path(tmp) / (Path(job.source).stem + ".pdf")
                if proc.returncode != 0 or not made.is_file():
                    lines = [ln.strip() for ln in out.decode(errors="replace").splitlines() if ln.strip()]
                    # soffice chats (javaldx warnings...): its "Error: ..." line says what went wrong.
                    errors = [ln for ln in lines if ln.lower().startswith("error")]
                    why = (errors or lines or [f"exit code {proc.returncode}"])[-1]
                    log.warning("converting %s to PDF failed: %s", name, why)
                    return "convert_failed", f"{name}: {why}"
                os.replace(made, job.target)  # atomic: a half-written PDF is never found in the cache
            prune_converted(job.target.parent, keep={job.target})
            return "", ""
        except OSError as exc:
            log.warning("converting %s to PDF failed: %s", name, exc)
            return "convert_failed", f"{name}: {exc.strerror or exc}"

    def stop(self) -> None:
        """End a running conversion and join the worker (the console is stopping)."""
        with self._lock:
            self._stopping = True
            self._jobs.clear()
            self._queued.clear()
            worker, proc = self._worker, self._proc
        if proc is not None:
            _kill(proc)
        if worker is not None:
            worker.join(timeout=10)
        with self._lock:
            self._stopping = False
            profile, self._profile = self._profile, None
        if profile:
            shutil.rmtree(profile, ignore_errors=True)
        for path in [p for p, d in self._docs.items() if d.state == "converting"]:
            self._forget(path)  # converted again when next shown

    def clear(self) -> None:
        """Close every document and drop every rendered page."""
        self.stop()
        for path in list(self._docs):
            self._forget(path)
        self._images.clear()
        with self._lock:
            self._results.clear()


def prune_converted(folder: Path, keep: Collection[Path] = (),
                    max_files: int = CONVERTED_KEEP, max_bytes: int = CONVERTED_KEEP_BYTES) -> list[Path]:
    """Delete the least recently used converted PDFs beyond ``max_files`` or ``max_bytes`` (a workstation
    that runs for months would otherwise fill its disk); returns what it deleted. Files in ``keep`` stay."""
    try:
        files = [(f.stat(), f) for f in folder.glob("*.pdf") if f.is_file()]
    except OSError as exc:
        log.warning("cannot tidy the converted documents in %s: %s", folder, exc)
        return []
    files.sort(key=lambda item: item[0].st_mtime, reverse=True)  # newest (most recently used) first
    total, gone = 0, []
    for count, (st, f) in enumerate(files, 1):
        total += st.st_size
        if f not in keep and (count > max_files or total > max_bytes):
            try:
                f.unlink()
                gone.append(f)
            except OSError as exc:
                log.warning("cannot delete the old converted document %s: %s", f.name, exc)
    if gone:
        log.info("deleted %d converted document(s) not used for longest from %s", len(gone), folder)
    return gone


@functools.cache
def _image_suffixes() -> frozenset[str]:
    return frozenset(bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats())


def _signature(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (0, -1)
    return (st.st_mtime_ns, st.st_size)


def _cache_key(path: str, signature: tuple[int, int]) -> str:
    return hashlib.sha256(f"{os.path.abspath(path)}|{signature[0]}|{signature[1]}".encode()).hexdigest()[:32]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


DOCUMENTS = DocumentCache()
