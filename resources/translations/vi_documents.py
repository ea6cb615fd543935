"""Vietnamese texts: documents."""

VI_DOCUMENTS: dict[str, str] = {
    "File not found": "Không tìm thấy tệp",
    "The file is damaged or not a PDF": "Tệp bị hỏng hoặc không phải là PDF",
    "This PDF is protected by a password": "Tệp PDF này được bảo vệ bằng mật khẩu",
    "The picture cannot be read": "Không đọc được hình ảnh",
    "The file cannot be read": "Không đọc được tệp",
    "The text file is too large to show": "Tệp văn bản quá lớn để hiển thị",
    "%1 files cannot be shown": "Không hiển thị được tệp %1",
    "No converter for %1 files on this machine (install LibreOffice)":
        "Máy này không có trình chuyển đổi tệp %1 (hãy cài LibreOffice)",
    "The conversion to PDF failed": "Chuyển đổi sang PDF thất bại",
    "The conversion to PDF took longer than %1 s": "Chuyển đổi sang PDF mất quá %1 giây",
    "The page cannot be drawn": "Không vẽ được trang",
    "The document cannot be shown": "Không hiển thị được tài liệu",
    "Converting document…": "Đang chuyển đổi tài liệu…",
    "Page %1 of %2": "Trang %1/%2",
}
