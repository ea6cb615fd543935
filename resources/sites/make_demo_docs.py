"""Write the demo site's meeting documents (PDF report, Markdown plan, PNG map) into demo-docs/.

The files are committed; run this again only to change them:
`QT_QPA_PLATFORM=offscreen .venv/bin/python -m resources.sites.make_demo_docs`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

OUT = Path(__file__).resolve().parent / "demo-docs"

REPORT_PAGES = [
    ("Báo cáo tình hình kinh tế - xã hội tháng 10/2026", [
        "UBND TỈNH NINH BÌNH — Văn phòng UBND tỉnh",
        "Số: 312/BC-UBND, ngày 05/11/2026",
        "",
        "1. Tổng sản phẩm trên địa bàn (GRDP) 10 tháng ước tăng 8,9% so với cùng kỳ.",
        "2. Thu ngân sách nhà nước đạt 87,4% dự toán năm.",
        "3. Giải ngân vốn đầu tư công đạt 71,2% kế hoạch; 4 dự án chậm tiến độ.",
        "4. Hồ sơ thủ tục hành chính trực tuyến toàn trình: 93,1%.",
    ]),
    ("Chỉ số chính theo phường, xã", [
        "Đơn vị — GRDP tăng — Hồ sơ trễ hạn — AQI trung bình",
        "Phường Hoa Lư — 9,4% — 12 — 58",
        "Phường Nam Định — 9,1% — 31 — 71",
        "Phường Phủ Lý — 8,2% — 9 — 63",
        "Xã Gia Viễn — 7,8% — 4 — 44",
        "Xã Kim Sơn — 8,6% — 6 — 47",
    ]),
    ("Kiến nghị và đề xuất", [
        "• Đẩy nhanh giải phóng mặt bằng các dự án giao thông trọng điểm.",
        "• Tăng cường kiểm tra xử lý hồ sơ trễ hạn tại Phường Nam Định.",
        "• Chuẩn bị phương án ứng phó mưa lớn cuối tháng 11.",
        "",
        "Nơi nhận: Thường trực Tỉnh ủy; Thường trực HĐND tỉnh; Chủ tịch, các PCT UBND tỉnh.",
    ]),
]

PLAN_MD = """# Kế hoạch ứng phó mưa lớn, ngập úng đô thị

**Số:** 45/KH-BCH, ngày 18/11/2026 — Ban Chỉ huy Phòng thủ dân sự tỉnh

## 1. Tình hình

Dự báo từ ngày 24 đến 27/11 có mưa vừa đến mưa to, lượng mưa phổ biến 80–150 mm.
Các điểm có nguy cơ ngập: đường Trần Hưng Đạo, nút giao Lê Hồng Phong, khu dân cư Phúc Thành.

## 2. Nhiệm vụ

- Công an tỉnh: phân luồng giao thông tại 6 điểm ngập, trực 24/24.
- Sở Xây dựng: vận hành 4 trạm bơm tiêu thoát nước, kiểm tra cống thoát.
- UBND các phường, xã: sơ tán hộ dân vùng trũng khi mực nước vượt báo động II.
- Trung tâm Giám sát, điều hành thông minh: theo dõi camera các điểm ngập, cảnh báo trên ứng dụng công dân.

## 3. Tổ chức thực hiện

Các đơn vị báo cáo tình hình về Trung tâm trước 16 giờ hằng ngày.
"""


def report(path: Path) -> None:
    writer = QPdfWriter(str(path))
    writer.setResolution(96)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(0, 0, 0, 0)))
    writer.setTitle(REPORT_PAGES[0][0])
    p = QPainter(writer)
    w, h = writer.width(), writer.height()
    for n, (title, lines) in enumerate(REPORT_PAGES):
        if n:
            writer.newPage()
        p.fillRect(QRectF(0, 0, w, h), QColor(255, 255, 255))
        p.fillRect(QRectF(0, 0, w, 90), QColor(153, 27, 30))
        font = QFont("Noto Sans")
        font.setPixelSize(34)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(255, 255, 255))
        p.drawText(QRectF(50, 0, w - 100, 90), Qt.AlignmentFlag.AlignVCenter, title)
        font.setPixelSize(24)
        font.setBold(False)
        p.setFont(font)
        p.setPen(QColor(25, 25, 25))
        for k, line in enumerate(lines):
            p.drawText(QPointF(60, 160 + k * 46), line)
        if n == 1:
            # A bar chart of the wards' growth.
            values = [9.4, 9.1, 8.2, 7.8, 8.6]
            for k, v in enumerate(values):
                bar = QRectF(620 + k * 80, h - 80 - v * 32, 56, v * 32)
                p.fillRect(bar, QColor(40, 110, 200))
            p.setPen(QPen(QColor(80, 80, 80), 2))
            p.drawLine(QPointF(600, h - 80), QPointF(1040, h - 80))
        font.setPixelSize(16)
        p.setFont(font)
        p.setPen(QColor(120, 120, 120))
        p.drawText(QRectF(0, h - 40, w - 50, 30), Qt.AlignmentFlag.AlignRight, f"Trang {n + 1}/{len(REPORT_PAGES)}")
    p.end()


def flood_map(path: Path) -> None:
    img = QImage(1600, 1000, QImage.Format.Format_RGB32)
    img.fill(QColor(232, 238, 228))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor(120, 170, 220), 60))
    p.drawLine(QPointF(-50, 700), QPointF(1650, 420))  # the river
    p.setPen(QPen(QColor(255, 255, 255), 22))
    for x in (300, 800, 1300):
        p.drawLine(QPointF(x, 0), QPointF(x + 100, 1000))
    p.drawLine(QPointF(0, 250), QPointF(1600, 300))
    font = QFont("Noto Sans")
    font.setPixelSize(30)
    font.setBold(True)
    p.setFont(font)
    for (x, y, name) in ((340, 290, "Trần Hưng Đạo"), (830, 560, "Lê Hồng Phong"), (1180, 760, "Phúc Thành")):
        p.setBrush(QColor(220, 40, 40, 170))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QPointF(x, y), 60, 60)
        p.setPen(QColor(30, 30, 30))
        p.drawText(QPointF(x + 70, y + 10), name)
    p.setPen(QColor(30, 30, 30))
    font.setPixelSize(40)
    p.setFont(font)
    p.drawText(QPointF(40, 70), "Sơ đồ các điểm có nguy cơ ngập úng")
    p.end()
    img.save(str(path))


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 (fonts need an application)
    OUT.mkdir(exist_ok=True)
    report(OUT / "Bao cao KT-XH thang 10-2026.pdf")
    (OUT / "Ke hoach ung pho mua lon.md").write_text(PLAN_MD, encoding="utf-8")
    flood_map(OUT / "So do diem ngap.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
