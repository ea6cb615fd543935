"""Documents on wall tiles, from real files: PDF pages (and damaged or locked ones), pictures, text and
Markdown, office files converted by the real LibreOffice, and the tile as a viewer sees it: the page,
its caption and the operator's red pointer."""

from __future__ import annotations

import stat
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPdfWriter

from console.bus import Bus
from console.commands import AssignSource
from console.messages import SourcesChanged
from console.model.documents import DocRef
from console.model.sources import Source, SourceKind
from console.persistence import Database
from console.store import Store
from layouts.grid import BUILTIN_LAYOUTS
from tests.conftest import in_ci
from widgets import document_render
from widgets.document_painter import page_area, page_point, page_rect, tile_page_rect, tile_point
from widgets.document_render import DOCUMENTS, MAX_IMAGES, DocumentCache
from widgets.tile_painter import STATUS, TileContext, paint_tile

A4 = (595, 842)  # points
PAGE_COLOURS = [QColor(40, 90, 220), QColor(30, 170, 80), QColor(240, 150, 20)]  # blue, green, orange
PAPER = QColor(255, 255, 255)


# -- files -------------------------------------------------------------------------------------
def write_pdf(path: Path, pages: int = 3) -> Path:
    """A4 pages, each with a big block of its own colour over the middle 60% and its number on top."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(72)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    p = QPainter(writer)
    font = QFont("Noto Sans")
    font.setPixelSize(60)
    p.setFont(font)
    for k in range(pages):
        if k:
            writer.newPage()
        w, h = p.viewport().width(), p.viewport().height()
        p.fillRect(QRectF(w * 0.2, h * 0.2, w * 0.6, h * 0.6), PAGE_COLOURS[k % 3])
        p.drawText(QRectF(0, 0, w, h * 0.18), Qt.AlignmentFlag.AlignCenter, f"Trang {k + 1}")
    p.end()
    return path


def write_docx(path: Path) -> Path:
    """A two-page Word file (the smallest valid .docx): big Vietnamese text, a page break between."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    big = '<w:rPr><w:sz w:val="96"/></w:rPr>'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>'
                   f'<w:p><w:r>{big}<w:t>Báo cáo trang một</w:t></w:r></w:p>'
                   '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
                   f'<w:p><w:r>{big}<w:t>Trang hai: ùn tắc giao thông</w:t></w:r></w:p>'
                   '</w:body></w:document>')
    return path


def script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def near(c: QColor, ref: QColor, tol: int = 30) -> bool:
    return abs(c.red() - ref.red()) <= tol and abs(c.green() - ref.green()) <= tol and abs(c.blue() - ref.blue()) <= tol


def is_red(c: QColor) -> bool:
    return c.red() > 190 and c.green() < 90 and c.blue() < 90


def dark_fraction(img: QImage, step: int = 3) -> float:
    pixels = [img.pixelColor(x, y) for x in range(0, img.width(), step) for y in range(0, img.height(), step)]
    return sum(c.lightness() < 100 for c in pixels) / len(pixels)


def require_libreoffice() -> str:
    found = document_render.find_converter()
    if found is None:
        if in_ci():
            pytest.fail("LibreOffice (soffice) is not installed, and CI must not skip (run bash .ci/setup)")
        pytest.skip("LibreOffice is not installed here (apt-get install libreoffice-writer-nogui)")
    return found


def doc_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("doc-") and t.is_alive()]


@pytest.fixture
def cache(tmp_path, qapp) -> Iterator[DocumentCache]:
    c = DocumentCache(out_dir=tmp_path / "converted")
    yield c
    c.clear()
    assert doc_threads() == []


@pytest.fixture
def pdf(tmp_path, qapp) -> Path:
    return write_pdf(tmp_path / "ke-hoach.pdf")


# -- the cache: PDFs ----------------------------------------------------------------------------
def test_a_pdf_shows_each_page_centred_whole_and_white(cache, pdf):
    doc = cache.open(str(pdf))
    assert (doc.state, doc.page_count, doc.error) == ("ready", 3, "")
    for page in (1, 2, 3):
        got = cache.page_image(str(pdf), page, 1920, 1080)
        assert got is not None
        image, where = got
        # The whole page, full height, in its own shape, centred.
        assert where.height() == 1080 and abs(where.width() / where.height() - A4[0] / A4[1]) < 0.01
        assert abs(where.center().x() - 960) <= 1
        assert image.size() == where.size().toSize()
        assert near(image.pixelColor(image.width() // 2, image.height() // 2), PAGE_COLOURS[page - 1])
        assert image.pixelColor(5, image.height() - 5) == PAPER  # paper, never transparent black
    renders = cache.renders
    assert cache.page_image(str(pdf), 2, 1920, 1080) is not None
    assert cache.renders == renders, "a page shown again at the same size is not rendered again"
    assert cache.page_image(str(pdf), 4, 1920, 1080) is None


def test_fit_width_and_zoom_show_the_right_part_of_the_page(cache, pdf):
    got = cache.page_image(str(pdf), 1, 1920, 1080, fit="width")
    assert got is not None
    image, where = got
    assert where == QRectF(0, 0, 1920, 1080)  # the page is taller than the tile: it fills it
    # The middle of the page is in view: the blue block spans the middle 60% of the width.
    assert near(image.pixelColor(960, 540), PAGE_COLOURS[0])
    assert image.pixelColor(100, 540) == PAPER and near(image.pixelColor(500, 540), PAGE_COLOURS[0])
    # Width-fit, zoomed 4x about the page's centre: nothing but the block.
    image, _ = cache.page_image(str(pdf), 1, 1920, 1080, "width", 4.0) or (QImage(), None)
    assert all(near(image.pixelColor(x, y), PAGE_COLOURS[0]) for x in (2, 1917) for y in (2, 1077))
    # Zoomed 4x about the top-left corner: the paper margin at the top left, the block towards the bottom right.
    image, _ = cache.page_image(str(pdf), 1, 1920, 1080, zoom=4.0, cx=0.125, cy=0.125) or (QImage(), None)
    assert image.pixelColor(10, 10) == PAPER and near(image.pixelColor(1900, 1060), PAGE_COLOURS[0])


def test_page_geometry_and_pointer_coordinates_round_trip():
    r = QRectF(100, 50, 1600, 900)
    whole = page_rect(r, QRectF(0, 0, *A4).size())
    assert whole.height() == 900 and abs(whole.center().x() - 900) < 1e-6
    wide = page_rect(r, QRectF(0, 0, *A4).size(), "width")
    assert wide.width() == 1600 and wide.top() < r.top() and wide.bottom() > r.bottom()
    # Zoomed about a corner, the page never leaves an empty band inside the view.
    corner = page_rect(r, QRectF(0, 0, *A4).size(), "page", 4.0, 0.0, 0.0)
    assert corner.topLeft() == r.topLeft()
    for x, y in ((0.0, 0.0), (0.3, 0.7), (1.0, 1.0)):
        back = page_point(wide, tile_point(wide, x, y))
        assert back is not None and abs(back[0] - x) < 1e-9 and abs(back[1] - y) < 1e-9
    assert page_point(whole, QPointF(110, 60)) is None  # on the dark margin beside the page
    assert page_point(wide, tile_point(wide, 0.5, 0.01), area=r) is None  # on the page, but out of view


def test_a_damaged_pdf_says_so(cache, pdf, tmp_path):
    garbage = tmp_path / "rac.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(pdf.read_bytes()[:300])
    for path in (garbage, truncated):
        doc = cache.open(str(path))
        assert doc.state == "error" and doc.page_count == 0
        assert doc.error == "The file is damaged or not a PDF" and doc.detail == path.name
        assert cache.page_image(str(path), 1, 800, 600) is None


def test_a_password_protected_pdf_says_so(cache, pdf, tmp_path):
    locked = tmp_path / "mat.pdf"
    with pikepdf.open(pdf) as src:
        src.save(locked, encryption=pikepdf.Encryption(owner="chu", user="bi-mat", R=6))
    doc = cache.open(str(locked))
    assert (doc.state, doc.error) == ("error", "This PDF is protected by a password")


def test_a_missing_or_unknown_file_says_so(cache, tmp_path):
    assert cache.open(str(tmp_path / "gone.pdf")).error == "File not found"
    odd = tmp_path / "data.xyz"
    odd.write_bytes(b"\x00\x01")
    assert cache.open(str(odd)).error == ".xyz files cannot be shown"


def test_a_file_changed_on_disk_is_reopened(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(document_render, "RECHECK_S", 0.0)
    path = write_pdf(tmp_path / "live.pdf", pages=2)
    assert cache.open(str(path)).page_count == 2
    first = cache.page_image(str(path), 1, 400, 300)
    version = cache.version
    time.sleep(0.01)
    write_pdf(path, pages=3)
    cache.refresh()
    assert cache.version > version  # views learn they must repaint
    assert cache.open(str(path)).page_count == 3
    again = cache.page_image(str(path), 1, 400, 300)
    assert first is not None and again is not None and again[0] is not first[0]


def test_rendered_pages_are_bounded(cache, pdf):
    for w in range(100, 100 + 2 * (MAX_IMAGES + 10), 2):
        assert cache.page_image(str(pdf), 1, w, 80) is not None
    assert len(cache._images) == MAX_IMAGES
    assert cache._image_bytes == sum(img.sizeInBytes() for img, _ in cache._images.values())


# -- pictures and text --------------------------------------------------------------------------
def test_a_picture_is_one_page_in_its_own_shape(cache, tmp_path):
    img = QImage(400, 200, QImage.Format.Format_RGB32)
    img.fill(PAGE_COLOURS[1])
    img.setPixelColor(0, 0, QColor(0, 0, 0))
    path = tmp_path / "so-do.png"
    assert img.save(str(path))
    doc = cache.open(str(path))
    assert (doc.state, doc.page_count) == ("ready", 1)
    image, where = cache.page_image(str(path), 1, 1000, 1000) or (QImage(), QRectF())
    assert where == QRectF(0, 250, 1000, 500)
    assert near(image.pixelColor(500, 250), PAGE_COLOURS[1])
    broken = tmp_path / "hong.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    bad = cache.open(str(broken))
    assert bad.state == "error" and bad.error == "The picture cannot be read" and "hong.png" in bad.detail


def test_markdown_in_vietnamese_is_paginated_dark_on_light(cache, tmp_path):
    sections = "\n\n".join(
        f"## Mục {k}: Tình hình giao thông\n\nỦy ban nhân dân phường Hoa Lư báo cáo: ùn tắc tại "
        f"nút giao số {k} đã được giải toả; lực lượng chức năng đang điều tiết." for k in range(1, 25))
    long_md = tmp_path / "bao-cao.md"
    long_md.write_text("# Báo cáo buổi sáng\n\n" + sections, encoding="utf-8")
    doc = cache.open(str(long_md))
    assert doc.state == "ready" and doc.page_count > 1
    pages = []
    for page in (1, doc.page_count):
        image, where = cache.page_image(str(long_md), page, 1920, 1080) or (QImage(), QRectF())
        # A landscape page filling the tile's height, in A4's shape.
        assert where.height() == 1080 and abs(where.width() / where.height() - 1123 / 794) < 0.01
        assert image.pixelColor(3, 3) == PAPER  # the light page's margin
        assert 0.004 < dark_fraction(image) < 0.3  # dark text on it
        pages.append(image)
    assert pages[0] != pages[1]
    short = tmp_path / "ghi-chu.txt"
    short.write_text("Họp giao ban lúc 8 giờ.\nĐịa điểm: phòng điều hành.", encoding="utf-8")
    assert cache.open(str(short)).page_count == 1
    image, _ = cache.page_image(str(short), 1, 1123, 794) or (QImage(), None)
    # The text is big enough for the wall: its first line is tens of pixels tall on a page this size.
    rows = [y for y in range(image.height()) if any(image.pixelColor(x, y).lightness() < 100
                                                       for x in range(40, 400, 2))]
    assert rows and 20 < rows[-1] - rows[0]


# -- office files through LibreOffice -----------------------------------------------------------
def test_a_word_file_is_converted_by_libreoffice_in_the_background(cache, tmp_path, qtbot):
    require_libreoffice()
    docx = write_docx(tmp_path / "báo cáo.docx")
    version = cache.version
    doc = cache.open(str(docx))
    assert doc.state == "converting" and doc.page_count == 0
    assert "doc-convert" in doc_threads()  # the GUI thread does not wait for LibreOffice
    qtbot.waitUntil(lambda: cache.version > version, timeout=60000)
    doc = cache.open(str(docx))
    assert (doc.state, doc.page_count, doc.error) == ("ready", 2, ""), doc.detail
    for page in (1, 2):
        image, _ = cache.page_image(str(docx), page, 1920, 1080) or (QImage(), None)
        assert image.pixelColor(3, 3) == PAPER and 0.0005 < dark_fraction(image, 2) < 0.2
    qtbot.waitUntil(lambda: doc_threads() == [], timeout=5000)  # the worker ends when there is no more work
    # The PDF is kept: another console (or a restart) shows it without converting again.
    assert len(list((tmp_path / "converted").glob("*.pdf"))) == 1
    other = DocumentCache(converter=None, out_dir=tmp_path / "converted")
    assert other.open(str(docx)).state == "ready"
    other.clear()


def test_stopping_ends_a_running_conversion(cache, tmp_path):
    cache.converter = script(tmp_path / "slow-office", "sleep 30")
    assert cache.open(str(write_docx(tmp_path / "a.docx"))).state == "converting"
    started = time.monotonic()
    cache.stop()
    assert time.monotonic() - started < 5 and doc_threads() == []


def test_conversion_problems_are_named(tmp_path, qtbot, qapp):
    docx = write_docx(tmp_path / "to-trinh.docx")
    none = DocumentCache(converter=None, out_dir=tmp_path / "c1")
    doc = none.open(str(docx))
    assert doc.error == "No converter for .docx files on this machine (install LibreOffice)"
    assert doc_threads() == []

    failing = DocumentCache(converter=script(tmp_path / "bad-office", 'echo "Warning: noise"; '
                                             'echo "Error: source file could not be loaded"; exit 1'),
                            out_dir=tmp_path / "c2")
    failing.open(str(docx))
    qtbot.waitUntil(lambda: failing.open(str(docx)).state == "error", timeout=10000)
    doc = failing.open(str(docx))
    assert doc.error == "The conversion to PDF failed"
    assert doc.detail == "to-trinh.docx: Error: source file could not be loaded"

    slow = DocumentCache(converter=script(tmp_path / "slow-office", "sleep 30"), out_dir=tmp_path / "c3",
                         convert_timeout_s=0.5)
    slow.open(str(docx))
    qtbot.waitUntil(lambda: slow.open(str(docx)).state == "error", timeout=10000)
    assert slow.open(str(docx)).error == "The conversion to PDF took longer than 0.5 s"
    for c in (none, failing, slow):
        c.clear()
    assert doc_threads() == []


# -- the tile -----------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path, qapp) -> Iterator[Store]:
    db = Database(tmp_path / "console.db")
    s = Store(Bus(), db, BUILTIN_LAYOUTS, "2x2")
    yield s
    db.stop()
    DOCUMENTS.clear()


def show(store: Store, path: Path, ref_query: str = "", name: str = "Kế hoạch tuần") -> None:
    store.bus.publish(SourcesChanged("docs", (Source("docs/plan", SourceKind.DOCUMENT, name, "docs",
                                                     file=str(path)),)))
    assert store.execute(AssignSource(tile=1, source="docs/plan" + ref_query), "tester", "ui").ok


def paint(store: Store, w: int = 1920, h: int = 1080, scale: float = 1.0) -> QImage:
    img = QImage(round(w * scale), round(h * scale), QImage.Format.Format_RGB32)
    img.fill(QColor(0, 0, 0))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.scale(scale, scale)
    paint_tile(p, QRectF(0, 0, w, h), 0, store.state.tiles[0], TileContext(store, lambda _i: None))
    p.end()
    return img


def test_the_tile_shows_the_page_its_caption_and_the_pointer(store, pdf):
    show(store, pdf, "?page=2")
    img = paint(store)
    assert store.doc_pages["docs/plan"] == 3  # page commands can clamp now
    inner = QRectF(2, 2, 1916, 1076)
    area = page_area(inner)
    # The whole page, full height above the caption, centred: worked out here, not by the painter.
    page_w = area.height() * A4[0] / A4[1]
    page = QRectF(area.center().x() - page_w / 2, area.top(), page_w, area.height())
    assert near(img.pixelColor(page.center().toPoint()), PAGE_COLOURS[1])
    assert img.pixelColor(round(page.left()) + 4, round(page.bottom()) - 4) == PAPER
    assert not near(img.pixelColor(round(page.left()) - 20, 500), PAPER)  # dark tile beside the page
    # The caption strip under the page, with light text in it on both sides (name, "Page 2 of 3").
    strip = [img.pixelColor(x, y) for y in range(round(area.bottom()) + 2, 1076)
             for x in list(range(10, 300)) + list(range(1620, 1910))]
    assert any(c.lightness() > 150 for c in strip) and all(c.lightness() < 245 for c in strip)
    assert max(abs(c.lightness() - 255) for c in strip) > 150  # a dark strip, not the white page

    assert not any(is_red(img.pixelColor(x, y)) for x in range(0, 1920, 8) for y in range(0, 1080, 8))
    store.set_pointer(0, 0.3, 0.7)
    img = paint(store)
    at = QPointF(page.left() + 0.3 * page.width(), page.top() + 0.7 * page.height())
    red = [(x, y) for x in range(0, 1920, 2) for y in range(0, 1080, 2) if is_red(img.pixelColor(x, y))]
    assert red, "no pointer painted"
    cx, cy = sum(x for x, _ in red) / len(red), sum(y for _, y in red) / len(red)
    assert abs(cx - at.x()) < 4 and abs(cy - at.y()) < 4
    assert max(abs(x - at.x()) for x, _ in red) < 60  # a dot, not a smear
    # The view's mouse mapping agrees with what was painted.
    painted = tile_page_rect(inner, DocRef.parse(store.state.tiles[0] or ""), str(pdf))
    assert painted is not None and abs(painted.left() - page.left()) < 0.5
    got = page_point(painted, at)
    assert got is not None and abs(got[0] - 0.3) < 1e-6 and abs(got[1] - 0.7) < 1e-6

    store.set_pointer(1, 0.3, 0.7)  # on another tile: not here
    img = paint(store)
    assert not any(is_red(img.pixelColor(x, y)) for x in range(0, 1920, 4) for y in range(0, 1080, 4))


def test_the_miniature_gets_the_same_page_rendered_at_its_own_size(store, pdf):
    show(store, pdf, "?page=3")
    store.set_pointer(0, 0.5, 0.5)
    small = paint(store, scale=0.25)
    assert near(small.pixelColor(240, 80), PAGE_COLOURS[2])  # above the pointer, still the page
    sizes = {key[3] for key in DOCUMENTS._images}
    assert any(s < 500 for s in sizes), "the miniature rendered its own small page"
    assert any(is_red(small.pixelColor(x, y)) for x in range(230, 250) for y in range(125, 145))


def test_the_tile_names_a_damaged_file_and_a_conversion(store, tmp_path, monkeypatch):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"not a pdf at all" * 100)
    show(store, bad)
    img = paint(store)
    warn = [img.pixelColor(x, y) for x in range(0, 1920, 3) for y in range(200, 700, 3)]
    assert sum(near(c, STATUS["critical"], 40) for c in warn) > 50  # the headline, in red
    assert not any(c == PAPER for c in warn)  # no page
    assert "docs/plan" not in store.doc_pages

    monkeypatch.setattr(DOCUMENTS, "converter", None)
    show(store, write_docx(tmp_path / "x.docx"))
    paint(store)
    assert DOCUMENTS.open(str(tmp_path / "x.docx")).error.startswith("No converter for .docx files")


def test_a_conversion_in_progress_is_said_on_the_tile(store, tmp_path, monkeypatch):
    monkeypatch.setenv("IOC_CONSOLE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(DOCUMENTS, "converter", script(tmp_path / "slow-office", "sleep 30"))
    show(store, write_docx(tmp_path / "y.docx"))
    img = paint(store)
    assert DOCUMENTS.open(str(tmp_path / "y.docx")).state == "converting"
    text = [img.pixelColor(x, y) for x in range(0, 1920, 3) for y in range(300, 600, 3)]
    assert any(c.lightness() > 120 for c in text)  # "Converting document…" in muted grey
    DOCUMENTS.stop()
    assert doc_threads() == []


def test_converted_documents_on_disk_are_bounded_least_recently_used_first(tmp_path):
    """A workstation running for months keeps the converted PDFs it used last, within a count and a size."""
    import os

    from widgets.document_render import prune_converted

    now = time.time()
    files = []
    for i in range(6):
        f = tmp_path / f"doc{i}.pdf"
        f.write_bytes(b"%PDF-1.4\n" + b"x" * 1000)
        os.utime(f, (now - 600 + i * 60, now - 600 + i * 60))  # doc5 used last
        files.append(f)
    (tmp_path / "notes.txt").write_text("not a converted document")
    gone = prune_converted(tmp_path, keep={files[0]}, max_files=3, max_bytes=10**9)
    assert sorted(f.name for f in gone) == ["doc1.pdf", "doc2.pdf"]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["doc0.pdf", "doc3.pdf", "doc4.pdf", "doc5.pdf", "notes.txt"]
    # Size bound: only as many of the newest as fit in it.
    gone = prune_converted(tmp_path, max_files=100, max_bytes=2100)
    assert sorted(f.name for f in tmp_path.glob("*.pdf")) == ["doc4.pdf", "doc5.pdf"]
    assert prune_converted(tmp_path / "missing", max_files=1) == []
