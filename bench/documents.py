"""Document page benchmark: what a page turn and a repaint cost on the wall, against the ceiling and
against what a viewer without a page cache does.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.documents [--runs 15]

For the demo's PDF report and Markdown plan, at a 1920x1080 tile and a 3840x2160 tile (fit page and
fit width), it reports the median and p90 of:
  - turn: first paint of a page at a size (the console renders the visible part at the view's pixels),
  - repaint: a later paint of the same page (the console copies its cached image),
  - ceiling: pdfium alone rendering the same visible pixels (QPdfDocument.render, nothing else),
  - no cache: re-rendering the page on every paint, as a viewer without a page cache does.
Each paint goes into a QImage the size of the tile through the real tile painter.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "resources" / "sites" / "demo-docs"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    from PySide6.QtCore import QRect, QRectF, QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
    from PySide6.QtWidgets import QApplication

    from widgets.document_render import DocumentCache, page_rect

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    files = [DOCS / "Bao cao KT-XH thang 10-2026.pdf", DOCS / "Ke hoach ung pho mua lon.md"]
    sizes = [(1920, 1080), (3840, 2160)]
    print(f"{'file':10} {'tile':>10} {'fit':6} {'turn p50':>9} {'p90':>7} {'repaint':>8} {'ceiling':>8} "
          f"{'no cache':>9}   (ms)")
    for path in files:
        pdf = None
        if path.suffix == ".pdf":
            pdf = QPdfDocument(None)
            pdf.load(str(path))
        for w, h in sizes:
            for fit in ("page", "width"):
                turn, repaint, ceiling, nocache = [], [], [], []
                for _ in range(args.runs):
                    cache = DocumentCache(converter=None)
                    cache.open(str(path))
                    canvas = QImage(w, h, QImage.Format.Format_RGB32)
                    t0 = time.perf_counter()
                    hit = cache.page_image(str(path), 1, w, h, fit)
                    assert hit is not None
                    p = QPainter(canvas)
                    p.drawImage(hit[1].topLeft(), hit[0])
                    p.end()
                    turn.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    hit = cache.page_image(str(path), 1, w, h, fit)
                    p = QPainter(canvas)
                    p.drawImage(hit[1].topLeft(), hit[0])  # type: ignore[index]
                    p.end()
                    repaint.append((time.perf_counter() - t0) * 1000)
                    nocache_cache = DocumentCache(converter=None)
                    nocache_cache.open(str(path))
                    t0 = time.perf_counter()
                    nocache_cache.page_image(str(path), 1, w, h, fit)
                    nocache.append((time.perf_counter() - t0) * 1000)
                    if pdf is not None:
                        exact = page_rect(QRectF(0, 0, w, h), pdf.pagePointSize(0), fit)
                        full = QRect(round(exact.left()), round(exact.top()), round(exact.width()),
                                     round(exact.height()))
                        visible = full.intersected(QRect(0, 0, w, h))
                        options = QPdfDocumentRenderOptions()
                        options.setScaledSize(full.size())
                        options.setScaledClipRect(visible.translated(-full.topLeft()))
                        t0 = time.perf_counter()
                        pdf.render(0, QSize(visible.size()), options)
                        ceiling.append((time.perf_counter() - t0) * 1000)
                    cache.clear()
                    nocache_cache.clear()
                ceil = f"{statistics.median(ceiling):8.1f}" if ceiling else f"{'–':>8}"
                print(f"{path.suffix[1:]:10} {f'{w}x{h}':>10} {fit:6} {statistics.median(turn):9.1f} "
                      f"{pct(turn, 0.9):7.1f} {statistics.median(repaint):8.2f} {ceil} "
                      f"{statistics.median(nocache):9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
