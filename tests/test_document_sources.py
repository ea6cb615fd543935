"""Document sources with real files and a real HTTP server: the watched folder, the document-management
system's register (bearer token, dotted paths, Vietnamese dates, bad items, files downloaded), the
operator's list panel and the register's wall tile."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from connectors.documents_rest import DocumentsRestConfig, DocumentsRestConnector
from connectors.folder import FolderConfig, FolderConnector
from console.bus import Bus
from console.messages import SourcesChanged, ValueReceived
from console.model.documents import DocumentItem, DocumentListing, ListFilter
from console.model.sources import Source, SourceKind
from console.persistence import Database
from console.store import Store
from layouts.grid import BUILTIN_LAYOUTS
from tests.kpi_support import KpiEnv
from widgets.document_list import (
    OVERDUE_RED,
    PANEL_OVERDUE_BG,
    DocumentListPanel,
    DocumentTableModel,
    count_text,
    paint_document_list,
)
from widgets.tile_painter import TileContext, paint_tile

TOKEN = "dms-7Qx2-secret-Kw4"
OLD = time.time() - 3600  # a file modified this long ago is certainly not being written


class DocEnv(KpiEnv):
    """The KPI tests' loop, bus and supervisor, with the document connectors and what they sent."""

    def __init__(self, site_dir: Path | None = None) -> None:
        super().__init__()
        self.site_dir = site_dir
        self.registry.register("folder", FolderConnector)
        self.registry.register("documents_rest", DocumentsRestConnector)
        self.source_msgs: list[SourcesChanged] = []
        self.listings: list[DocumentListing] = []
        self.bus.subscribe(SourcesChanged, self.source_msgs.append)
        self.bus.subscribe(ValueReceived, lambda m: self.listings.append(m.value))

    def start(self, name: str, kind: str, config: Any, **kwargs: Any):
        if self.site_dir is not None:
            kwargs.setdefault("site_dir", self.site_dir)
        return super().start(name, kind, config, **kwargs)

    def sources(self, name: str) -> dict[str, Source]:
        msgs = [m for m in self.source_msgs if m.connector == name]
        return {s.id: s for s in msgs[-1].sources} if msgs else {}

    def listing(self) -> DocumentListing | None:
        return self.listings[-1] if self.listings else None

    def _leftover_threads(self) -> list[str]:
        # Connectors' worker threads ("connector-<name>") must be gone too.
        return super()._leftover_threads() + [
            t.name for t in threading.enumerate()
            if t.ident not in self._threads_before and t.is_alive() and t.name.startswith("connector-")]


def day(offset: int) -> date:
    return date.today() + timedelta(days=offset)


def dmy(offset: int) -> str:
    return day(offset).strftime("%d/%m/%Y")


def iso(offset: int) -> str:
    return day(offset).isoformat()


# -- the watched folder -----------------------------------------------------------------------------

def write(path: Path, data: bytes, mtime: float | None = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def folder_env(tmp_path) -> Iterator[DocEnv]:
    e = DocEnv(site_dir=tmp_path)
    yield e
    e.close()


def test_folder_lists_documents_and_follows_files_coming_and_going(folder_env, tmp_path):
    env = folder_env
    docs = tmp_path / "docs"
    write(docs / "Bao_cao_tuan_12.pdf", b"%PDF-1.4 " + b"x" * 2000)
    write(docs / "anh hien truong.JPG", b"\xff\xd8\xff" + b"j" * 10)
    write(docs / "ke_hoach.docx", b"PK\x03\x04")
    write(docs / ".an.pdf", b"%PDF")  # hidden
    write(docs / "~$ke_hoach.docx", b"lock")  # Word's lock file beside an open document
    write(docs / "setup.exe", b"MZ")  # not a document type
    write(docs / "cu" / "nam_2023.pdf", b"%PDF")  # a sub-folder: not looked into by default
    env.start("docs", "folder", FolderConfig(path="docs", poll_s=0.1))  # relative: from the site file's folder
    env.wait_until(lambda: env.sources("docs"), what="the first listing")
    listed = env.sources("docs")
    assert list(listed) == ["docs/anh hien truong.JPG", "docs/Bao_cao_tuan_12.pdf", "docs/ke_hoach.docx"]
    report = listed["docs/Bao_cao_tuan_12.pdf"]
    assert report.kind == SourceKind.DOCUMENT and report.connector == "docs"
    assert report.name == "Bao cao tuan 12"
    assert report.file == str(docs / "Bao_cao_tuan_12.pdf")
    assert report.detail.startswith("PDF · 2 KB · ")
    assert listed["docs/anh hien truong.JPG"].detail.startswith("JPG · 13 B")
    assert env.last("docs").state == "ok" and env.last("docs").detail == "3 documents"

    # Nothing changes: nothing is sent again.
    sent = len([m for m in env.source_msgs if m.connector == "docs"])
    env.idle(0.5)
    assert len([m for m in env.source_msgs if m.connector == "docs"]) == sent

    # A new file appears (after one look, as it was written a moment ago), a removed one goes.
    write(docs / "cong_van_moi.pdf", b"%PDF-1.7", mtime=None)
    (docs / "ke_hoach.docx").unlink()
    env.wait_until(lambda: "docs/cong_van_moi.pdf" in env.sources("docs"), timeout=5, what="the new file")
    assert "docs/ke_hoach.docx" not in env.sources("docs")
    assert env.sources("docs")["docs/cong_van_moi.pdf"].name == "cong van moi"


def test_folder_recursive_lists_sub_folders(folder_env, tmp_path):
    env = folder_env
    write(tmp_path / "docs" / "a.pdf", b"%PDF")
    write(tmp_path / "docs" / "2023" / "q4" / "tong_ket.md", b"# Tong ket")
    write(tmp_path / "docs" / ".git" / "x.txt", b"hidden folder")
    env.start("docs", "folder", FolderConfig(path=str(tmp_path / "docs"), poll_s=0.1, recursive=True,
                                             patterns=("pdf", "*.md", ".txt")))
    env.wait_until(lambda: env.sources("docs"))
    listed = env.sources("docs")
    assert set(listed) == {"docs/a.pdf", "docs/2023/q4/tong_ket.md"}
    assert listed["docs/2023/q4/tong_ket.md"].detail.endswith(" · 2023/q4")


def test_a_file_still_being_written_waits_until_its_size_settles(folder_env, tmp_path):
    env = folder_env
    docs = tmp_path / "docs"
    write(docs / "ready.pdf", b"%PDF")
    env.start("docs", "folder", FolderConfig(path=str(docs), poll_s=0.1))
    env.wait_until(lambda: env.sources("docs"))
    growing = docs / "scan.pdf"
    with open(growing, "wb") as fh:
        for _ in range(12):  # a scanner writing a page at a time, faster than the folder is looked at
            fh.write(b"p" * 4096)
            fh.flush()
            env.idle(0.06)
            assert "docs/scan.pdf" not in env.sources("docs"), "listed while still being written"
    env.wait_until(lambda: "docs/scan.pdf" in env.sources("docs"), timeout=5, what="the settled file")
    assert env.sources("docs")["docs/scan.pdf"].detail.startswith("PDF · 48 KB")


def test_a_missing_folder_is_retrying_with_the_reason_until_it_appears(folder_env, tmp_path):
    env = folder_env
    docs = tmp_path / "share"
    env.start("docs", "folder", FolderConfig(path=str(docs), poll_s=0.1))
    env.wait_until(lambda: env.last("docs").state == "retrying")
    assert env.last("docs").last_error == f"FileNotFoundError: folder {docs} not found"
    write(docs / "a.pdf", b"%PDF")
    env.wait_until(lambda: env.last("docs").state == "ok" and "docs/a.pdf" in env.sources("docs"), timeout=5)


# -- the register over HTTP ---------------------------------------------------------------------------

FILE_A = bytes(range(256)) * 12  # not text: the copy must be byte for byte
FILE_B = b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 700
BIG = b"B" * 40_000  # over the tests' 0.02 MB limit


def register_doc(port: int) -> dict:
    return {"status": "ok", "data": {"items": [
        {"ma": "vb-1", "so_ky_hieu": "125/UBND-VP", "loai": "den", "ngay": dmy(-1), "noi_gui": "Sở Tài chính",
         "trich_yeu": "Về việc bổ sung dự toán ngân sách năm 2024", "han": dmy(5), "da_xu_ly": False,
         "tep": {"url": "/files/125.pdf"}},
        {"ma": "vb-2", "so_ky_hieu": "88/QĐ-UBND", "loai": "di", "ngay": f"{iso(0)}T08:30:00+07:00",
         "noi_gui": "UBND tỉnh Ninh Bình", "trich_yeu": "Quyết định phê duyệt kế hoạch phòng chống lụt bão",
         "han": "", "tep": {"url": f"http://localhost:{port}/files/88.png"}},  # another host: no token
        {"ma": "vb-3", "so_ky_hieu": "1021/SXD-QLXD", "loai": "DEN", "ngay": dmy(-9), "noi_gui": "Sở Xây dựng",
         "trich_yeu": "Kiểm tra an toàn công trình đê điều trước mùa mưa bão", "han": dmy(-3),
         "tep": {"url": "/files/big.pdf"}},
        {"ma": "vb-4", "so_ky_hieu": "56/BC-CAT", "loai": "den", "ngay": "31/13/2024", "noi_gui": "Công an tỉnh"},
        "không phải một văn bản",
        {"ma": "vb-6", "loai": "den", "ngay": dmy(-2), "trich_yeu": "no number"},
        {"ma": "vb-7", "so_ky_hieu": "412/SYT-NVY", "loai": "den", "ngay": dmy(-4), "noi_gui": "Sở Y tế",
         "trich_yeu": "Phòng chống dịch sốt xuất huyết", "han": dmy(-2), "da_xu_ly": True,
         "tep": {"url": "/files/stream-big"}},
        {"ma": "vb-8", "so_ky_hieu": "19/TB-UBND", "loai": "di", "ngay": dmy(-5), "noi_gui": "UBND tỉnh",
         "trich_yeu": "Thông báo kết luận", "han": dmy(-1), "tep": {"url": "/files/missing.pdf"}},
    ]}}


FIELDS = {"id": "ma", "number": "so_ky_hieu", "direction": "loai", "date": "ngay", "issuer": "noi_gui",
          "summary": "trich_yeu", "deadline": "han", "done": "da_xu_ly", "url": "tep.url"}


class DmsServer:
    """A real HTTP server on a free loopback port playing the document-management system. The register
    and files on 127.0.0.1 want the bearer token (401 otherwise); "localhost" is another host to it."""

    def __init__(self) -> None:
        self.auth_seen: dict[str, list[str]] = {}
        self.register: tuple[int, bytes] | None = None  # what /register answers; None: the good document
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def send(self, status: int, body: bytes, ctype: str = "application/json", length: bool = True) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                host = self.headers.get("Host", "").split(":")[0]
                auth = self.headers.get("Authorization", "")
                path = self.path.partition("?")[0]
                server.auth_seen.setdefault(f"{host}{path}", []).append(auth)
                if host == "localhost" and path == "/files/88.png":
                    self.send(200, FILE_B, "image/png")
                    return
                if auth != f"Bearer {TOKEN}":
                    self.send(401, b'{"error": "unauthorized"}')
                    return
                if path == "/register":
                    status, body = server.register or (200, json.dumps(register_doc(server.port)).encode())
                    self.send(status, body)
                elif path == "/files/125.pdf":
                    self.send(200, FILE_A, "application/pdf")
                elif path == "/files/big.pdf":
                    self.send(200, BIG, "application/pdf")
                elif path == "/files/stream-big":
                    self.send(200, BIG, "application/pdf", length=False)  # the size shows only while reading
                else:
                    self.send(404, b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="dms-http",
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[DmsServer]:
    s = DmsServer()
    yield s
    s.close()


@pytest.fixture
def env() -> Iterator[DocEnv]:
    e = DocEnv()
    yield e
    e.close()


def dms_config(server: DmsServer, tmp_path: Path, **kwargs: Any) -> DocumentsRestConfig:
    kwargs.setdefault("token", SecretStr(TOKEN))
    kwargs.setdefault("poll_s", 0.2)
    kwargs.setdefault("timeout_s", 2)
    kwargs.setdefault("items_path", "data.items")
    kwargs.setdefault("fields", FIELDS)
    kwargs.setdefault("cache_dir", str(tmp_path / "cache"))
    kwargs.setdefault("max_download_mb", 0.02)
    return DocumentsRestConfig(url=server.url("/register"), title="Sổ văn bản", **kwargs)


def numbers(listing: DocumentListing | None) -> list[str]:
    return [i.number for i in listing.items] if listing else []


def test_register_lists_good_papers_and_names_the_bad_ones(env, server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    env.start("dms", "documents_rest", dms_config(server, tmp_path, download=False))
    env.wait_until(lambda: env.listing() is not None and env.last("dms").detail, what="a listing and a status")
    listing = env.listing()
    assert listing is not None and listing.source_id == "dms/list"
    # Newest first; dd/mm/yyyy and ISO date-times stored as ISO dates.
    assert numbers(listing) == ["88/QĐ-UBND", "125/UBND-VP", "412/SYT-NVY", "19/TB-UBND", "1021/SXD-QLXD"]
    first, second = listing.items[0], listing.items[1]
    assert (first.id, first.direction, first.date, first.deadline) == ("vb-2", "out", iso(0), "")
    assert second == DocumentItem("vb-1", "125/UBND-VP", "in", iso(-1), "Sở Tài chính",
                                  "Về việc bổ sung dự toán ngân sách năm 2024", iso(5), False, "/files/125.pdf", "")
    late = {i.number: i.overdue() for i in listing.items}
    assert late == {"88/QĐ-UBND": False, "125/UBND-VP": False, "412/SYT-NVY": False,  # handled: never overdue
                    "19/TB-UBND": True, "1021/SXD-QLXD": True}
    detail = env.last("dms").detail
    assert "item 3: bad ngay '31/13/2024'" in detail
    assert "item 4: expected an object, got text" in detail
    assert "item 5: so_ky_hieu: missing" in detail
    assert env.last("dms").state == "ok"
    # The register is a source from the settings alone, named by its title.
    assert env.sources("dms") == {"dms/list": Source("dms/list", SourceKind.DOCUMENT_LIST, "Sổ văn bản", "dms",
                                                    detail=f"http://127.0.0.1:{server.port}/register")}
    assert set(server.auth_seen["127.0.0.1/register"]) == {f"Bearer {TOKEN}"}
    assert TOKEN not in caplog.text and not [t for t in env.texts("dms") if TOKEN in t]


def test_default_fields_and_the_exact_bad_date_message(env, server, tmp_path):
    items = [{"id": 1, "number": "7/GM", "direction": "incoming", "date": "03/05/2024", "issuer": "Sở Nội vụ",
              "summary": "Giấy mời họp", "deadline": "2024-05-10"},
             {"id": 2, "number": "8/GM", "direction": "in", "date": "2024-05-02"},
             {"id": 3, "number": "9/GM", "direction": "in", "date": "31/13/2024"},
             {"id": 4, "number": "10/GM", "direction": "sideways", "date": "2024-05-02"}]
    server.register = (200, json.dumps(items).encode())
    env.start("dms", "documents_rest", DocumentsRestConfig(url=server.url("/register"), token=SecretStr(TOKEN),
                                                           poll_s=0.2, download=False))
    env.wait_until(lambda: env.listing() is not None and env.last("dms").detail)
    assert [(i.id, i.date, i.deadline) for i in env.listing().items] == [("1", "2024-05-03", "2024-05-10"),
                                                                        ("2", "2024-05-02", "")]
    detail = env.last("dms").detail
    assert "item 2: bad date '31/13/2024'" in detail
    assert "item 3: direction: 'sideways' is not a direction" in detail


def test_the_token_is_required_and_never_shown(env, server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    env.start("dms", "documents_rest", dms_config(server, tmp_path, token=None))
    env.wait_until(lambda: env.last("dms").state == "retrying")
    assert env.last("dms").last_error == (
        f"ConnectionError: GET http://127.0.0.1:{server.port}/register: HTTP 401: check the token")
    env.stop()
    wrong = "wrong-tok-Bb31-secret"
    env.start("dms2", "documents_rest", dms_config(server, tmp_path, token=SecretStr(wrong)))
    env.wait_until(lambda: env.last("dms2").state == "retrying")
    assert "HTTP 401: check the token" in env.last("dms2").last_error
    assert f"Bearer {wrong}" in server.auth_seen["127.0.0.1/register"]
    assert env.listings == []
    for secret in (TOKEN, wrong):
        assert not [t for name in ("dms", "dms2") for t in env.texts(name) if secret in t]
        assert secret not in caplog.text


def test_a_broken_register_is_retrying_and_the_console_keeps_the_last_listing(env, server, tmp_path):
    db = Database(tmp_path / "console.db")
    try:
        store = Store(env.bus, db, BUILTIN_LAYOUTS, "2x2")
        env.start("dms", "documents_rest", dms_config(server, tmp_path, download=False))
        env.wait_until(lambda: "dms/list" in store.doc_lists)
        before = store.doc_lists["dms/list"]
        assert len(before.items) == 5
        for status, body, reason in (
            (200, b'{"data": {"items": [{"so_ky_hieu": "1",', "not JSON (line 1 column "),
            (500, b'{"error": "database down"}', "HTTP 500"),
            (200, b'{"data": {"items": {"so_ky_hieu": "1"}}}', "'data.items' is not a list (it is an object)"),
        ):
            server.register = (status, body)
            env.wait_until(lambda reason=reason: env.last("dms").state == "retrying"
                           and reason in env.last("dms").last_error, what=reason)
            assert env.last("dms").last_error.startswith(("ValueError: GET http://127.0.0.1:",
                                                          "ConnectionError: GET http://127.0.0.1:"))
            assert store.doc_lists["dms/list"].items == before.items
            assert "dms/list" in store.sources  # the tile keeps its register
        server.register = None
        env.wait_until(lambda: env.last("dms").state == "ok", timeout=5)
        env.wait_until(lambda: store.doc_lists["dms/list"].source_time > before.source_time)
    finally:
        env.stop()
        db.stop()


def test_files_are_downloaded_and_become_document_sources(env, server, tmp_path, qtbot):
    env.start("dms", "documents_rest", dms_config(server, tmp_path))
    env.wait_until(lambda: "dms/doc/vb-1" in env.sources("dms") and "dms/doc/vb-2" in env.sources("dms")
                   and "HTTP 404" in env.last("dms").detail and env.last("dms").detail.count("larger") == 2,
                   what="two files downloaded, two too large, one missing")
    doc = env.sources("dms")["dms/doc/vb-1"]
    assert doc.kind == SourceKind.DOCUMENT and doc.connector == "dms"
    assert doc.name == "125/UBND-VP · Về việc bổ sung dự toán ngân sách năm 2024"
    assert Path(doc.file).parent == tmp_path / "cache" and doc.file.endswith(".pdf")
    assert Path(doc.file).read_bytes() == FILE_A
    png = env.sources("dms")["dms/doc/vb-2"]
    assert png.file.endswith(".png") and Path(png.file).read_bytes() == FILE_B
    # The token went with the register's own files, never to another host.
    assert set(server.auth_seen["127.0.0.1/files/125.pdf"]) == {f"Bearer {TOKEN}"}
    assert set(server.auth_seen["localhost/files/88.png"]) == {""}
    # The listing names the local copies; the too large and the missing ones have none, and say why.
    env.wait_until(lambda: {i.id: bool(i.file) for i in env.listing().items}
                   == {"vb-2": True, "vb-1": True, "vb-7": False, "vb-8": False, "vb-3": False})
    detail = env.last("dms").detail
    assert "1021/SXD-QLXD: file larger than 0.02 MB, not downloaded" in detail  # said by Content-Length
    assert "412/SYT-NVY: file larger than 0.02 MB, not downloaded" in detail  # found while reading
    assert f"19/TB-UBND: file not downloaded (HTTP 404 from http://127.0.0.1:{server.port}/files/missing.pdf)" \
        in detail
    assert sorted(p.name.rsplit(".", 1)[1] for p in (tmp_path / "cache").iterdir()) == ["pdf", "png"]
    # Too large stays too large: it is not fetched again at every poll.
    polls = len(server.auth_seen["127.0.0.1/register"])
    env.wait_until(lambda: len(server.auth_seen["127.0.0.1/register"]) >= polls + 3)
    assert len(server.auth_seen["127.0.0.1/files/big.pdf"]) == 1
    assert len(server.auth_seen["127.0.0.1/files/125.pdf"]) == 1  # and a copy is not fetched twice

    # The operator opens the paper from the list panel: the signal names its DOCUMENT source.
    db = Database(tmp_path / "console.db")
    try:
        store = Store(Bus(), db, BUILTIN_LAYOUTS, "2x2")
        store.bus.publish(SourcesChanged("dms", tuple(env.sources("dms").values())))
        store.bus.publish(ValueReceived(env.listing()))
        panel = DocumentListPanel(store)
        qtbot.addWidget(panel)
        opened: list[str] = []
        panel.sig_open_document.connect(opened.append)
        panel.search.setText("125/UBND")
        assert [i.id for i in panel.model.rows] == ["vb-1"]
        panel.table.setCurrentIndex(panel.model.index(0, 0))
        panel.open_current()
        assert opened == ["dms/doc/vb-1"]
        panel.search.setText("1021")  # too large: no local copy, nothing to open
        panel.table.setCurrentIndex(panel.model.index(0, 0))
        panel.open_current()
        assert opened == ["dms/doc/vb-1"] and "1021/SXD-QLXD" in panel.hint.text()
    finally:
        db.stop()


def test_only_the_newest_files_are_kept(env, server, tmp_path):
    cache = tmp_path / "cache"
    write(cache / "stale-0123456789.pdf", b"from a paper long gone")
    write(cache / "vb-1-halfdone.pdf.part", b"left by a crash")
    env.start("dms", "documents_rest", dms_config(server, tmp_path, keep_files=2, max_download_mb=1))
    # The two newest papers with files: vb-2 (today) and vb-1 (yesterday).
    env.wait_until(lambda: {"dms/doc/vb-1", "dms/doc/vb-2"} <= set(env.sources("dms")))
    env.idle(0.5)
    assert set(env.sources("dms")) == {"dms/list", "dms/doc/vb-1", "dms/doc/vb-2"}
    assert len(list(cache.iterdir())) == 2
    assert "127.0.0.1/files/big.pdf" not in server.auth_seen


# -- the operator's panel and the wall tile ------------------------------------------------------------

ITEMS = (
    DocumentItem("1", "125/UBND-VP", "in", iso(0), "Sở Tài chính", "Bổ sung dự toán ngân sách", iso(5), file="/x/1.pdf"),
    DocumentItem("2", "88/QĐ-UBND", "out", iso(-1), "UBND tỉnh", "Kế hoạch phòng chống lụt bão", ""),
    DocumentItem("3", "1021/SXD-QLXD", "in", iso(-9), "Sở Xây dựng", "Kiểm tra an toàn đê điều", iso(-3)),
    DocumentItem("4", "56/BC-CAT", "in", iso(-12), "Công an tỉnh", "Tình hình an ninh trật tự", iso(-1)),
    DocumentItem("5", "77/CV-VP", "out", iso(-3), "Văn phòng UBND", "Đôn đốc chuyển đổi số", iso(-4), done=True),
    DocumentItem("6", "19/TB-UBND", "out", iso(-5), "UBND tỉnh", "Kết luận về đê điều Hoa Lư", iso(-2)),
)
OVERDUE_IDS = {"3", "4", "6"}


class Desk:
    """A store as the console builds it, holding one register (and its first paper's local copy)."""

    def __init__(self, path: Path) -> None:
        self.bus = Bus()
        self.db = Database(path)
        self.store = Store(self.bus, self.db, BUILTIN_LAYOUTS, "2x2")
        self.bus.publish(SourcesChanged("dms", (
            Source("dms/list", SourceKind.DOCUMENT_LIST, "Sổ văn bản", "dms"),
            Source("dms/doc/1", SourceKind.DOCUMENT, "125/UBND-VP", "dms", file="/x/1.pdf"),
        )))

    def publish(self, items: tuple[DocumentItem, ...] = ITEMS, source: str = "dms/list") -> None:
        self.bus.publish(ValueReceived(DocumentListing(source, items, time.time())))


@pytest.fixture
def desk(tmp_path) -> Iterator[Desk]:
    d = Desk(tmp_path / "console.db")
    yield d
    d.db.stop()


def ids(panel: DocumentListPanel) -> list[str]:
    return [i.id for i in panel.model.rows]


def test_panel_filters_by_text_direction_and_overdue(qtbot, desk):
    panel = DocumentListPanel(desk.store)
    qtbot.addWidget(panel)
    assert ids(panel) == []
    assert panel.counts.text() == "Waiting for data"
    desk.publish()
    qtbot.waitUntil(lambda: ids(panel) == ["1", "2", "3", "4", "5", "6"], timeout=3000)  # the timer sees it
    assert panel.counts.text() == "6 of 6 papers · 3 overdue"
    panel.search.setText("đê điều")
    assert ids(panel) == ["3", "6"]
    panel.search.setText("ubnd")  # number or issuer, any case
    assert ids(panel) == ["1", "2", "5", "6"]
    panel.direction.setCurrentIndex(panel.direction.findData("out"))
    assert ids(panel) == ["2", "5", "6"]
    panel.overdue.setChecked(True)
    assert ids(panel) == ["6"]
    panel.search.clear()
    assert ids(panel) == ["6"]
    panel.direction.setCurrentIndex(panel.direction.findData(""))
    assert ids(panel) == ["3", "4", "6"]
    assert panel.counts.text() == "3 of 6 papers · 3 overdue"
    # The wall gets the same filter as its reference.
    shown: list[str] = []
    panel.sig_show_on_wall.connect(shown.append)
    panel.search.setText("đê")
    qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
    assert shown == [ListFilter("dms/list", "", True, "đê").text()]
    assert ListFilter.parse(shown[0]) == ListFilter("dms/list", "", True, "đê")


def test_panel_marks_overdue_rows_sorts_and_opens_with_enter(qtbot, desk):
    desk.publish()
    panel = DocumentListPanel(desk.store)
    qtbot.addWidget(panel)
    model = panel.model
    deadline = DocumentTableModel.COLUMNS.index("deadline")
    for row, item in enumerate(model.rows):
        background = model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
        if item.id in OVERDUE_IDS:
            assert background == PANEL_OVERDUE_BG
            late = (day(0) - date.fromisoformat(item.deadline)).days
            expected = "1 day late" if late == 1 else f"{late} days late"
            assert model.data(model.index(row, deadline)) == f"{day(-late):%d/%m/%Y} · {expected}"
        else:
            assert background is None
    number = DocumentTableModel.COLUMNS.index("number")
    panel.table.sortByColumn(number, Qt.SortOrder.AscendingOrder)
    assert [i.number for i in model.rows] == ["1021/SXD-QLXD", "125/UBND-VP", "19/TB-UBND", "56/BC-CAT",
                                              "77/CV-VP", "88/QĐ-UBND"]
    panel.table.sortByColumn(deadline, Qt.SortOrder.AscendingOrder)
    assert ids(panel) == ["5", "3", "6", "4", "1", "2"]  # no deadline: last
    panel.table.sortByColumn(deadline, Qt.SortOrder.DescendingOrder)
    assert ids(panel) == ["1", "4", "6", "3", "5", "2"]
    desk.publish()  # a new listing keeps the operator's sort
    panel.refresh(force=True)
    assert ids(panel) == ["1", "4", "6", "3", "5", "2"]

    opened: list[str] = []
    panel.sig_open_document.connect(opened.append)
    panel.show()
    qtbot.waitExposed(panel)
    panel.table.setFocus()
    panel.table.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened == ["dms/doc/1"]
    rect = panel.table.visualRect(model.index(0, 1))
    # A double-click is a press that the view remembers, then the double-click on the same row.
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == ["dms/doc/1", "dms/doc/1"]


def test_panel_chooses_between_registers(qtbot, desk):
    desk.publish()
    desk.bus.publish(SourcesChanged("dms2", (Source("dms2/list", SourceKind.DOCUMENT_LIST, "Công văn Sở", "dms2"),)))
    desk.publish((DocumentItem("x", "1/CV", "in", iso(0), "Sở", "Một"),), "dms2/list")
    panel = DocumentListPanel(desk.store)
    qtbot.addWidget(panel)
    assert not panel.register.isHidden()
    assert [panel.register.itemText(i) for i in range(panel.register.count())] == ["Công văn Sở", "Sổ văn bản"]
    assert ids(panel) == ["x"]
    panel.register.setCurrentIndex(panel.register.findData("dms/list"))
    assert len(ids(panel)) == 6


def paint(desk: Desk, ref: str, w: int = 1920, h: int = 1080) -> tuple[QImage, list]:
    """The tile as a view paints it (through ``paint_tile``), and the rows' bands from the list painter."""
    ctx = TileContext(desk.store, lambda _i: None)
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(0, 0, 0))
    p = QPainter(img)
    paint_tile(p, QRectF(0, 0, w, h), 0, ref, ctx)
    p.end()
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(0, 0, 0))
    p = QPainter(img)
    bands = paint_document_list(p, QRectF(0, 0, w, h), 0, ref, desk.store.sources["dms/list"], ctx)
    p.end()
    return img, bands


def is_red(c: QColor) -> bool:
    return c.red() > 200 and c.green() < 90 and c.blue() < 90


def test_wall_tile_marks_overdue_rows_and_counts(qapp, desk):
    img, bands = paint(desk, "dms/list")
    assert bands == []  # before the first listing: waiting
    desk.publish()
    img, bands = paint(desk, "dms/list")
    assert count_text(6, 3) == "6 papers, 3 overdue"
    assert count_text(1, 0) == "1 paper" and count_text(2, 2, overdue_only=True) == "2 overdue"
    # Overdue first, the longest late at the top; then the register's order.
    assert [b.item.id for b in bands] == ["3", "6", "4", "1", "2", "5"][: len(bands)]
    assert len(bands) >= 4
    for band in bands:
        stripe = [img.pixelColor(4, int(y)) for y in range(int(band.top) + 4, int(band.bottom) - 4, 6)]
        assert all(is_red(c) for c in stripe) == (band.item.id in OVERDUE_IDS), band.item.number
        late_words = [img.pixelColor(x, int(y)) for x in range(1200, 1915, 3)
                      for y in range(int(band.top), int(band.top + (band.bottom - band.top) * 0.5), 3)]
        assert any(c == OVERDUE_RED for c in late_words) == (band.item.id in OVERDUE_IDS), band.item.number
    # The caption's count: its overdue part in red at the right, none on the left of the caption.
    caption = [img.pixelColor(x, y) for x in range(1300, 1915, 2) for y in range(10, 100, 2)]
    assert any(c == OVERDUE_RED for c in caption)
    # Text grows with the tile.
    _small, small_bands = paint(desk, "dms/list", 960, 540)
    assert small_bands[0].bottom - small_bands[0].top < (bands[0].bottom - bands[0].top) * 0.6


def test_wall_tile_filters_by_its_reference(qapp, desk):
    desk.publish()
    _img, bands = paint(desk, "dms/list?dir=out")
    assert [b.item.id for b in bands] == ["6", "2", "5"]
    _img, bands = paint(desk, "dms/list?overdue=1&q=%C4%91%C3%AA")  # q=đê
    assert [b.item.id for b in bands] == ["3", "6"]
    img, bands = paint(desk, "dms/list?dir=in&overdue=1")
    assert [b.item.id for b in bands] == ["3", "4"]
    caption = [img.pixelColor(x, y) for x in range(1300, 1915, 2) for y in range(10, 100, 2)]
    assert any(c == OVERDUE_RED for c in caption)
    img, bands = paint(desk, "dms/list?dir=sideways")
    assert bands == []
    img, bands = paint(desk, "dms/list?q=kh%C3%B4ng%20c%C3%B3")  # nothing matches
    assert bands == []


def test_odd_item_ids_make_usable_source_ids_and_only_http_files_are_fetched(env, server, tmp_path):
    items = [{"id": "A 1?x", "number": "1/X", "direction": "in", "date": "2024-05-02", "file_url": "/files/125.pdf"},
             {"id": "B", "number": "2/X", "direction": "in", "date": "2024-05-01", "file_url": "file:///etc/hostname"}]
    server.register = (200, json.dumps(items).encode())
    env.start("dms", "documents_rest", DocumentsRestConfig(url=server.url("/register"), token=SecretStr(TOKEN),
                                                           poll_s=0.2, cache_dir=str(tmp_path / "c")))
    env.wait_until(lambda: len(env.sources("dms")) == 2)
    (doc,) = [s for s in env.sources("dms").values() if s.kind == SourceKind.DOCUMENT]
    assert doc.id == "dms/doc/A%201%3Fx"
    assert hashlib.sha1(Path(doc.file).read_bytes()).digest() == hashlib.sha1(FILE_A).digest()
    env.wait_until(lambda: "2/X: file URL is not http(s), not downloaded" in env.last("dms").detail)
