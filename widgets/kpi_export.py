"""Export of a KPI tile: the picture as PNG, and the numbers behind it as CSV. Thread: GUI thread."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from console.kpi.book import KpiBook
from console.model.kpi import KpiRef, UnitTree
from widgets.tile_painter import BG, TileContext, paint_tile


def export_png(ctx: TileContext, index: int, ref_text: str, width: int, height: int, path: Path) -> Path:
    """The tile as the wall shows it, at ``width`` x ``height`` pixels."""
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(BG)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    paint_tile(p, QRectF(0, 0, width, height), index, ref_text, ctx)
    p.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not img.save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t))


def export_csv(book: KpiBook, units: UnitTree, ref: KpiRef, path: Path, at: float | None = None) -> int:
    """The values the tile is drawn from: the unit's series over the tile's range (card, chart), or one
    row per unit (ranking, table). UTF-8 with a byte-order mark, so spreadsheets read the diacritics.
    Returns the number of data rows."""
    ind = book.indicators[ref.indicator]
    unit = ref.unit or units.default_scope()
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        if ref.view in ("card", "chart"):
            out.writerow(["indicator", "unit_code", "unit", "time", "value", "unit_of_measure"])
            series = book.series(ind.id, unit)
            if series is not None:
                t1 = at if at is not None else time.time()
                times, values = series.window(t1 - ref.range_s, t1)
                for t, v in zip(times.tolist(), values.tolist(), strict=True):
                    out.writerow([ind.id, unit, units.name(unit), _iso(t), f"{v:.{ind.decimals}f}", ind.unit_label])
                    rows += 1
        else:
            out.writerow(["indicator", "unit_code", "unit", "time", "value", "unit_of_measure", "status",
                          "previous", "computed_from_units"])
            scope = [unit, *units.children(unit)]
            for code in scope:
                rd = book.reading(ind.id, code, at)
                if rd is None:
                    out.writerow([ind.id, code, units.name(code), "", "", ind.unit_label, "no values", "", ""])
                else:
                    prev = "" if rd.previous is None else f"{rd.previous:.{ind.decimals}f}"
                    out.writerow([ind.id, code, units.name(code), _iso(rd.time), f"{rd.value:.{ind.decimals}f}",
                                  ind.unit_label, rd.status.value, prev, rd.rolled_up or ""])
                rows += 1
    return rows
