"""Documents on the wall: what a document tile shows (page, fit, zoom), and registers of papers.

A document tile's state is its reference, ``<source-id>?page=3&fit=width&zoom=1.5``, kept in the
wall state like a KPI tile's: the operator's view and every wall display render the same page
because they render the same state, and a briefing's scene recalls it exactly.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, urlencode

FITS = ("page", "width")
ZOOM_MIN, ZOOM_MAX = 1.0, 4.0


class DocRefError(ValueError):
    pass


@dataclass(frozen=True)
class DocRef:
    """What one document tile shows. ``page`` is 1-based, as people count pages."""

    source: str
    page: int = 1
    fit: str = "page"  # "page": the whole page in the tile; "width": the page's width fills the tile
    zoom: float = 1.0  # on top of the fit, about ``cx, cy`` (0..1 of the page)
    cx: float = 0.5
    cy: float = 0.5

    def text(self) -> str:
        query: list[tuple[str, str]] = []
        if self.page != 1:
            query.append(("page", str(self.page)))
        if self.fit != "page":
            query.append(("fit", self.fit))
        if self.zoom != 1.0:
            query += [("zoom", f"{self.zoom:g}"), ("cx", f"{self.cx:.3g}"), ("cy", f"{self.cy:.3g}")]
        elif self.cy != 0.5:
            query.append(("cy", f"{self.cy:.3g}"))  # how far down a page shown at its width is
        return self.source + ("?" + urlencode(query, quote_via=quote) if query else "")

    def with_(self, **changes: object) -> DocRef:
        new = replace(self, **changes)  # type: ignore[arg-type]
        zoom = min(ZOOM_MAX, max(ZOOM_MIN, float(new.zoom)))
        if zoom == 1.0:
            # A whole page needs no centre; a page fitted to its width keeps how far down it is shown.
            cy = min(1.0, max(0.0, float(new.cy))) if new.fit == "width" else 0.5
            return replace(new, page=max(1, int(new.page)), zoom=1.0, cx=0.5, cy=cy)
        half = 0.5 / zoom
        return replace(new, page=max(1, int(new.page)), zoom=zoom,
                       cx=min(1 - half, max(half, float(new.cx))), cy=min(1 - half, max(half, float(new.cy))))

    @classmethod
    @functools.lru_cache(maxsize=1024)
    def parse(cls, ref: str) -> DocRef:
        """Parse a tile reference (cached: views ask for every tile 50 times a second)."""
        head, _, query = ref.partition("?")
        if not head:
            raise DocRefError(f"{ref!r} names no document")
        args = dict(parse_qsl(query, keep_blank_values=True))
        unknown = set(args) - {"page", "fit", "zoom", "cx", "cy"}
        if unknown:
            raise DocRefError(f"{ref!r}: unknown setting {sorted(unknown)[0]!r} (known: page, fit, zoom)")
        try:
            page = int(args.get("page") or 1)
            zoom = float(args.get("zoom") or 1.0)
            cx, cy = float(args.get("cx") or 0.5), float(args.get("cy") or 0.5)
        except ValueError:
            raise DocRefError(f"{ref!r}: page, zoom, cx and cy must be numbers") from None
        fit = args.get("fit") or "page"
        if fit not in FITS:
            raise DocRefError(f"{ref!r}: fit {fit!r} is not one of {', '.join(FITS)}")
        if page < 1:
            raise DocRefError(f"{ref!r}: pages are counted from 1")
        return cls(head).with_(page=page, fit=fit, zoom=zoom, cx=cx, cy=cy)


@dataclass(frozen=True)
class Pointer:
    """The operator's pointer on a document tile, in 0..1 of the page shown; every view draws it.
    Runtime only (never saved in presets or scenes)."""

    tile: int  # 0-based tile index
    x: float
    y: float
    time: float


# -- registers of official papers (a document-management system's incoming/outgoing list) -----

DIRECTIONS = ("in", "out")


@dataclass(frozen=True)
class DocumentItem:
    """One official paper in a register: number, dates, issuer, summary, deadline and its file."""

    id: str  # unique within its register
    number: str  # the paper's official number ("125/UBND-VP")
    direction: str  # "in" (incoming) or "out" (outgoing)
    date: str  # ISO date it was issued or received (YYYY-MM-DD)
    issuer: str
    summary: str
    deadline: str = ""  # ISO date by which it must be handled, "" when none
    done: bool = False  # handled: never overdue
    url: str = ""  # the file as the system serves it
    file: str = ""  # the local copy, once downloaded ("" while pending or when there is none)

    def overdue(self, today: str | None = None) -> bool:
        """Past its deadline and not handled. ``today``: ISO date (the local date when None)."""
        if self.done or not self.deadline:
            return False
        return self.deadline < (today or time.strftime("%Y-%m-%d"))


@dataclass(frozen=True)
class DocumentListing:
    """The register a connector last read, newest first."""

    source_id: str
    items: tuple[DocumentItem, ...]
    source_time: float


@dataclass(frozen=True)
class ListFilter:
    """Which papers a list panel or wall tile shows: ``<list-source>?dir=in&overdue=1&q=words``."""

    source: str
    direction: str = ""  # "", "in" or "out"
    overdue_only: bool = False
    query: str = ""  # words that must all appear in number, issuer or summary (case-insensitive)

    def text(self) -> str:
        q = [(k, v) for k, v in (("dir", self.direction), ("overdue", "1" if self.overdue_only else ""),
                                 ("q", self.query)) if v]
        return self.source + ("?" + urlencode(q, quote_via=quote) if q else "")

    @classmethod
    @functools.lru_cache(maxsize=256)
    def parse(cls, ref: str) -> ListFilter:
        head, _, query = ref.partition("?")
        args = dict(parse_qsl(query, keep_blank_values=True))
        unknown = set(args) - {"dir", "overdue", "q"}
        if unknown or not head:
            raise DocRefError(f"{ref!r}: unknown setting {sorted(unknown)[0]!r} (known: dir, overdue, q)"
                              if unknown else f"{ref!r} names no document list")
        direction = args.get("dir", "")
        if direction and direction not in DIRECTIONS:
            raise DocRefError(f"{ref!r}: dir {direction!r} is not one of in, out")
        return cls(head, direction, args.get("overdue", "") in ("1", "true", "yes"), args.get("q", ""))

    def matches(self, item: DocumentItem, today: str | None = None) -> bool:
        if self.direction and item.direction != self.direction:
            return False
        if self.overdue_only and not item.overdue(today):
            return False
        if self.query:
            hay = f"{item.number} {item.issuer} {item.summary}".casefold()
            return all(word in hay for word in self.query.casefold().split())
        return True
