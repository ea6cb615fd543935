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
