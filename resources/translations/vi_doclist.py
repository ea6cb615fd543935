"""Vietnamese texts: doclist."""

VI_DOCLIST: dict[str, str] = {
    # The wall tile of a register of papers
    "1 day late": "quá hạn 1 ngày",
    "%1 days late": "quá hạn %1 ngày",
    "1 paper": "1 văn bản",
    "%1 papers": "%1 văn bản",
    "%1 overdue": "%1 quá hạn",
    "Incoming": "Văn bản đến",
    "Outgoing": "Văn bản đi",
    "Overdue only": "Chỉ văn bản quá hạn",
    "Bad list settings": "Thiết lập danh sách không hợp lệ",
    "No papers match": "Không có văn bản phù hợp",
    "due today": "hạn hôm nay",
    "due %1": "hạn %1",
    "IN": "ĐẾN",
    "OUT": "ĐI",
    "SOURCE UNAVAILABLE, last list kept": "MẤT NGUỒN, giữ danh sách cuối",
    "+%1 more": "+%1 văn bản khác",
    # The operator's panel
    "Number": "Số, ký hiệu",
    "Date": "Ngày",
    "In/out": "Đến/đi",
    "Issuer": "Cơ quan ban hành",
    "Summary": "Trích yếu",
    "Double-click or Enter: show this paper on a tile": "Nhấp đúp hoặc Enter: hiển thị văn bản này lên một ô",
    "No local copy of the file yet": "Chưa có bản sao của tệp trên máy",
    "Register": "Sổ văn bản",
    "Search number, issuer, summary…": "Tìm theo số, cơ quan ban hành, trích yếu…",
    "Show list on wall": "Đưa danh sách lên màn hình tường",
    "Put this register, filtered as here, on the wall":
        "Đưa sổ văn bản này, với bộ lọc như ở đây, lên màn hình tường",
    "No register configured": "Chưa cấu hình sổ văn bản nào",
    "%1 of %2 papers": "%1 trên %2 văn bản",
    "No local copy of %1 yet": "Chưa có bản sao của văn bản %1 trên máy",
}
