"""The demo province's synthetic catalogue: cameras, indicators, alert feeds and documents.

Units follow today's two tiers (province -> commune/ward); the names are illustrative demo data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCamera:
    id: str
    name: str
    unit: str
    location: str
    tags: tuple[str, ...] = ()


CAMERAS = (
    DemoCamera("cam-01", "Ngã tư Lê Hồng Phong", "w-hoalu", "Lê Hồng Phong x Trần Hưng Đạo"),
    DemoCamera("cam-02", "Cầu Non Nước", "w-hoalu", "Cầu Non Nước, hướng Bắc"),
    DemoCamera("cam-03", "Quảng trường Ba Đình", "w-namdinh", "Quảng trường trung tâm"),
    DemoCamera("cam-04", "Bến xe Phủ Lý", "w-phuly", "Cổng chính bến xe"),
    DemoCamera("cam-05", "Quốc lộ 1A - Km 260", "c-giavien", "Quốc lộ 1A, Km 260"),
    DemoCamera("cam-06", "Cổng UBND tỉnh", "w-hoalu", "Trụ sở UBND tỉnh", ("sensitive",)),
    DemoCamera("cam-07", "Đê biển Kim Sơn", "c-kimson", "Đê biển, cống số 3"),
    DemoCamera("cam-08", "Chợ Rồng", "w-namdinh", "Cổng chợ phía Đông"),
)

ALERT_TEMPLATES = (
    ("traffic", "major", "Ùn tắc kéo dài tại {place}"),
    ("traffic", "minor", "Phương tiện dừng đỗ sai quy định tại {place}"),
    ("traffic", "critical", "Tai nạn giao thông tại {place}"),
    ("security", "major", "Tụ tập đông người tại {place}"),
    ("security", "critical", "Phát hiện đối tượng khả nghi tại {place}"),
    ("environment", "major", "AQI vượt ngưỡng 150 tại {place}"),
    ("environment", "minor", "Mực nước sông dâng cao tại {place}"),
    ("citizen_report", "minor", "Phản ánh: đèn chiếu sáng hỏng tại {place}"),
    ("citizen_report", "major", "Phản ánh: rác thải tồn đọng tại {place}"),
    ("citizen_report", "info", "Phản ánh: đề nghị sửa mặt đường tại {place}"),
)

DOCUMENTS = (
    (
        "agenda",
        "Lịch công tác tuần",
        (
            "Thứ Hai 07:30  Giao ban UBND tỉnh - Phòng họp IOC",
            "Thứ Hai 14:00  Kiểm tra công tác phòng chống thiên tai - xã Kim Sơn",
            "Thứ Ba 08:00   Họp trực tuyến với các sở, ngành về chuyển đổi số",
            "Thứ Tư 09:00   Tiếp công dân định kỳ",
            "Thứ Năm 08:30  Sơ kết công tác cải cách thủ tục hành chính",
            "Thứ Sáu 15:00  Giao ban an ninh trật tự cuối tuần",
        ),
    ),
    (
        "briefing",
        "Báo cáo nhanh tình hình trong ngày",
        (
            "1. Giao thông: 3 vụ ùn tắc cục bộ, đã xử lý 2 vụ.",
            "2. Môi trường: AQI trung bình 68 (mức trung bình).",
            "3. Phản ánh hiện trường: 12 phản ánh mới, 9 đã chuyển xử lý.",
            "4. Thủ tục hành chính: tỷ lệ hồ sơ trễ hạn 2,4%.",
            "5. An ninh trật tự: ổn định, không có vụ việc nghiêm trọng.",
        ),
    ),
)


# The demo's register of official papers ("văn bản đến/đi"): (id, number, direction, days before today
# it was dated, issuer, summary, deadline in days from today (None: none), handled, file in the
# demo documents folder or ""). Dates are relative, so some papers are always overdue.
REGISTER = (
    ("vb-101", "312/BC-UBND", "out", 18, "UBND tỉnh Ninh Bình",
     "Báo cáo tình hình kinh tế - xã hội tháng 10/2026", None, True, "Bao cao KT-XH thang 10-2026.pdf"),
    ("vb-102", "45/KH-BCH", "in", 5, "Ban Chỉ huy Phòng thủ dân sự tỉnh",
     "Kế hoạch ứng phó mưa lớn, ngập úng đô thị", 2, False, "Ke hoach ung pho mua lon.md"),
    ("vb-103", "1187/SXD-HTKT", "in", 9, "Sở Xây dựng",
     "Đề nghị bố trí kinh phí vận hành trạm bơm tiêu thoát nước", -3, False, "So do diem ngap.png"),
    ("vb-104", "2290/CAT-PC08", "in", 12, "Công an tỉnh",
     "Phương án phân luồng giao thông dịp cuối năm", -6, False, ""),
    ("vb-105", "88/TB-VP", "out", 3, "Văn phòng UBND tỉnh",
     "Thông báo kết luận giao ban tuần 46", None, True, ""),
    ("vb-106", "512/STNMT-MT", "in", 7, "Sở Tài nguyên và Môi trường",
     "Báo cáo quan trắc chất lượng không khí tháng 10", 5, False, ""),
    ("vb-107", "97/UBND-KSTTHC", "out", 2, "UBND tỉnh Ninh Bình",
     "Chấn chỉnh tình trạng hồ sơ thủ tục hành chính trễ hạn", 10, False, ""),
    ("vb-108", "1402/SYT-NVY", "in", 15, "Sở Y tế",
     "Tình hình dịch sốt xuất huyết và giải pháp phòng chống", -1, False, ""),
    ("vb-109", "63/UBND-VP", "in", 1, "UBND Phường Nam Định",
     "Đề nghị hỗ trợ camera giám sát các điểm ngập", 14, False, ""),
    ("vb-110", "2011/STTTT-CĐS", "out", 20, "Sở Khoa học và Công nghệ",
     "Hướng dẫn kết nối dữ liệu IOC cấp xã", None, True, ""),
)
