<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="vi_VN" sourcelanguage="en">
<context>
    <name>Agenda</name>
    <message>
        <source>%1 min</source>
        <translation>%1 phút</translation>
    </message>
    <message>
        <source>Briefing not available</source>
        <translation>Không có buổi giao ban này</translation>
    </message>
    <message>
        <source>Agenda</source>
        <translation>Chương trình</translation>
    </message>
    <message>
        <source>No items yet</source>
        <translation>Chưa có mục nào</translation>
    </message>
</context>
<context>
    <name>AlertQueueView</name>
    <message>
        <source>Severity</source>
        <translation>Mức độ</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Lĩnh vực</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Cảnh báo</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Giao cho</translation>
    </message>
    <message>
        <source>Last action</source>
        <translation>Thao tác gần nhất</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Hạn xử lý</translation>
    </message>
    <message>
        <source>OVERDUE</source>
        <translation>QUÁ HẠN</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>khẩn cấp</translation>
    </message>
    <message>
        <source>major</source>
        <translation>nghiêm trọng</translation>
    </message>
    <message>
        <source>minor</source>
        <translation>nhẹ</translation>
    </message>
    <message>
        <source>info</source>
        <translation>thông tin</translation>
    </message>
    <message>
        <source>traffic</source>
        <translation>giao thông</translation>
    </message>
    <message>
        <source>security</source>
        <translation>an ninh</translation>
    </message>
    <message>
        <source>environment</source>
        <translation>môi trường</translation>
    </message>
    <message>
        <source>citizen report</source>
        <translation>phản ánh</translation>
    </message>
    <message>
        <source>information security</source>
        <translation>an toàn thông tin</translation>
    </message>
    <message>
        <source>emergency</source>
        <translation>khẩn cấp – cứu hộ</translation>
    </message>
    <message>
        <source>other</source>
        <translation>khác</translation>
    </message>
    <message>
        <source>new</source>
        <translation>mới</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>đã tiếp nhận</translation>
    </message>
    <message>
        <source>assigned</source>
        <translation>đã giao</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>đã xử lý</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>đã đóng</translation>
    </message>
    <message>
        <source>flapping</source>
        <translation>chập chờn</translation>
    </message>
    <message>
        <source>cleared by source</source>
        <translation>nguồn báo đã hết</translation>
    </message>
    <message>
        <source>silenced</source>
        <translation>tạm ẩn</translation>
    </message>
    <message>
        <source>Filter alerts… (A ack · S assign · R resolve · C close · N note)</source>
        <translation>Lọc cảnh báo… (A tiếp nhận · S giao · R xử lý xong · C đóng · N ghi chú)</translation>
    </message>
    <message>
        <source>Group by domain and unit</source>
        <translation>Gộp theo lĩnh vực và đơn vị</translation>
    </message>
    <message>
        <source>All domains</source>
        <translation>Mọi lĩnh vực</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Đang mở</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Đã tiếp nhận</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Đã giao</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Đã xử lý</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Đã đóng</translation>
    </message>
    <message>
        <source>Silenced</source>
        <translation>Đang tạm ẩn</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>All units</source>
        <translation>Mọi đơn vị</translation>
    </message>
    <message>
        <source>STORM: %1 alerts folded; by unit: %2</source>
        <translation>BÃO CẢNH BÁO: gộp %1 cảnh báo; theo đơn vị: %2</translation>
    </message>
    <message>
        <source>Open %1 · critical unacknowledged %2 · overdue %3 · silenced %4</source>
        <translation>Đang mở %1 · khẩn cấp chưa tiếp nhận %2 · quá hạn %3 · tạm ẩn %4</translation>
    </message>
    <message>
        <source>Alert storm: new alerts are folded into one row per storm; critical alerts stay listed.</source>
        <translation>Bão cảnh báo: cảnh báo mới được gộp thành một dòng; cảnh báo khẩn cấp vẫn hiện riêng.</translation>
    </message>
</context>
<context>
    <name>BriefingPack</name>
    <message>
        <source>%1 in all</source>
        <translation>tổng cộng %1</translation>
    </message>
    <message>
        <source>Shown: %1</source>
        <translation>Đã trình chiếu: %1</translation>
    </message>
    <message>
        <source>Presenter: %1</source>
        <translation>Người trình bày: %1</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>chưa đặt</translation>
    </message>
    <message>
        <source>Planned: %1</source>
        <translation>Dự kiến: %1</translation>
    </message>
    <message>
        <source>Scene %1 of %2: %3</source>
        <translation>Cảnh %1/%2: %3</translation>
    </message>
    <message>
        <source>No notes.</source>
        <translation>Không có ghi chú.</translation>
    </message>
    <message>
        <source>No picture</source>
        <translation>Không có hình</translation>
    </message>
    <message>
        <source>Speaker notes</source>
        <translation>Ghi chú người trình bày</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>Xuất lúc %1</translation>
    </message>
    <message>
        <source>Briefing pack</source>
        <translation>Tài liệu giao ban</translation>
    </message>
</context>
<context>
    <name>BriefingPanel</name>
    <message>
        <source>New…</source>
        <translation>Mới…</translation>
    </message>
    <message>
        <source>Add wall as scene…</source>
        <translation>Thêm màn hình tường thành cảnh…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Take wall into scene</source>
        <translation>Lấy màn hình tường vào cảnh</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Chuyển lên</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>Chuyển xuống</translation>
    </message>
    <message>
        <source>Delete scene</source>
        <translation>Xoá cảnh</translation>
    </message>
    <message>
        <source>Agenda to tile</source>
        <translation>Chương trình lên ô</translation>
    </message>
    <message>
        <source>Briefing pack (PDF)…</source>
        <translation>Tài liệu giao ban (PDF)…</translation>
    </message>
    <message>
        <source>Start briefing</source>
        <translation>Bắt đầu giao ban</translation>
    </message>
    <message>
        <source>Replace the selected scene's tiles by the wall as it is now</source>
        <translation>Thay nội dung cảnh đang chọn bằng màn hình tường hiện tại</translation>
    </message>
    <message>
        <source>Show this briefing's agenda on the selected wall tile</source>
        <translation>Hiện chương trình buổi giao ban lên ô đang chọn</translation>
    </message>
    <message>
        <source>Hold KPI values at the start ("as of" freeze)</source>
        <translation>Giữ số liệu KPI tại lúc bắt đầu (chốt số liệu)</translation>
    </message>
    <message>
        <source>Presentation mode (clean wall, sensitive cameras masked)</source>
        <translation>Chế độ trình chiếu (màn hình gọn, che camera nhạy cảm)</translation>
    </message>
    <message>
        <source>New briefing</source>
        <translation>Buổi giao ban mới</translation>
    </message>
    <message>
        <source>Scene %1</source>
        <translation>Cảnh %1</translation>
    </message>
</context>
<context>
    <name>Console</name>
    <message>
        <source>All alerts</source>
        <translation>Tất cả cảnh báo</translation>
    </message>
    <message>
        <source>Traffic alerts</source>
        <translation>Cảnh báo giao thông</translation>
    </message>
    <message>
        <source>Public order and security</source>
        <translation>An ninh trật tự</translation>
    </message>
    <message>
        <source>Environment alerts</source>
        <translation>Cảnh báo môi trường</translation>
    </message>
    <message>
        <source>Citizen field reports</source>
        <translation>Phản ánh hiện trường</translation>
    </message>
    <message>
        <source>Information security</source>
        <translation>An toàn thông tin</translation>
    </message>
    <message>
        <source>%1 over the critical threshold: %2 %3</source>
        <translation>%1 vượt ngưỡng nguy cấp: %2 %3</translation>
    </message>
    <message>
        <source>%1 over the warning threshold: %2 %3</source>
        <translation>%1 vượt ngưỡng cảnh báo: %2 %3</translation>
    </message>
    <message>
        <source>%1 under the critical threshold: %2 %3</source>
        <translation>%1 dưới ngưỡng nguy cấp: %2 %3</translation>
    </message>
    <message>
        <source>%1 under the warning threshold: %2 %3</source>
        <translation>%1 dưới ngưỡng cảnh báo: %2 %3</translation>
    </message>
    <message>
        <source>Critical alert: %1 – %2</source>
        <translation>Cảnh báo khẩn cấp: %1 – %2</translation>
    </message>
    <message>
        <source>(+%1 more)</source>
        <translation>(+%1 cảnh báo khác)</translation>
    </message>
    <message>
        <source>Scene %1/%2</source>
        <translation>Cảnh %1/%2</translation>
    </message>
    <message>
        <source>(paused)</source>
        <translation>(tạm dừng)</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Xuất không thành công: %1</translation>
    </message>
    <message>
        <source>Briefing pack saved (%1 pages): %2</source>
        <translation>Đã lưu tài liệu giao ban (%1 trang): %2</translation>
    </message>
</context>
<context>
    <name>DocumentList</name>
    <message>
        <source>1 day late</source>
        <translation>quá hạn 1 ngày</translation>
    </message>
    <message>
        <source>%1 days late</source>
        <translation>quá hạn %1 ngày</translation>
    </message>
    <message>
        <source>1 paper</source>
        <translation>1 văn bản</translation>
    </message>
    <message>
        <source>%1 papers</source>
        <translation>%1 văn bản</translation>
    </message>
    <message>
        <source>%1 overdue</source>
        <translation>%1 quá hạn</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Văn bản đến</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Văn bản đi</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>Chỉ văn bản quá hạn</translation>
    </message>
    <message>
        <source>Bad list settings</source>
        <translation>Thiết lập danh sách không hợp lệ</translation>
    </message>
    <message>
        <source>Waiting for data</source>
        <translation>Đang chờ dữ liệu</translation>
    </message>
    <message>
        <source>No papers match</source>
        <translation>Không có văn bản phù hợp</translation>
    </message>
    <message>
        <source>due today</source>
        <translation>hạn hôm nay</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>hạn %1</translation>
    </message>
    <message>
        <source>IN</source>
        <translation>ĐẾN</translation>
    </message>
    <message>
        <source>OUT</source>
        <translation>ĐI</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>cập nhật lúc %1</translation>
    </message>
    <message>
        <source>SOURCE UNAVAILABLE, last list kept</source>
        <translation>MẤT NGUỒN, giữ danh sách cuối</translation>
    </message>
    <message>
        <source>+%1 more</source>
        <translation>+%1 văn bản khác</translation>
    </message>
</context>
<context>
    <name>DocumentListPanel</name>
    <message>
        <source>Number</source>
        <translation>Số, ký hiệu</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>In/out</source>
        <translation>Đến/đi</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Cơ quan ban hành</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Trích yếu</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Hạn xử lý</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Văn bản đến</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Văn bản đi</translation>
    </message>
    <message>
        <source>due today</source>
        <translation>hạn hôm nay</translation>
    </message>
    <message>
        <source>Double-click or Enter: show this paper on a tile</source>
        <translation>Nhấp đúp hoặc Enter: hiển thị văn bản này lên một ô</translation>
    </message>
    <message>
        <source>No local copy of the file yet</source>
        <translation>Chưa có bản sao của tệp trên máy</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Sổ văn bản</translation>
    </message>
    <message>
        <source>Search number, issuer, summary…</source>
        <translation>Tìm theo số, cơ quan ban hành, trích yếu…</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>Chỉ văn bản quá hạn</translation>
    </message>
    <message>
        <source>Show list on wall</source>
        <translation>Đưa danh sách lên màn hình tường</translation>
    </message>
    <message>
        <source>Put this register, filtered as here, on the wall</source>
        <translation>Đưa sổ văn bản này, với bộ lọc như ở đây, lên màn hình tường</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
    <message>
        <source>Waiting for data</source>
        <translation>Đang chờ dữ liệu</translation>
    </message>
    <message>
        <source>No register configured</source>
        <translation>Chưa cấu hình sổ văn bản nào</translation>
    </message>
    <message>
        <source>%1 of %2 papers</source>
        <translation>%1 trên %2 văn bản</translation>
    </message>
    <message>
        <source>%1 overdue</source>
        <translation>%1 quá hạn</translation>
    </message>
    <message>
        <source>No local copy of %1 yet</source>
        <translation>Chưa có bản sao của văn bản %1 trên máy</translation>
    </message>
</context>
<context>
    <name>DocumentPainter</name>
    <message>
        <source>Converting document…</source>
        <translation>Đang chuyển đổi tài liệu…</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Trang %1/%2</translation>
    </message>
</context>
<context>
    <name>DocumentRender</name>
    <message>
        <source>File not found</source>
        <translation>Không tìm thấy tệp</translation>
    </message>
    <message>
        <source>The file is damaged or not a PDF</source>
        <translation>Tệp bị hỏng hoặc không phải là PDF</translation>
    </message>
    <message>
        <source>This PDF is protected by a password</source>
        <translation>Tệp PDF này được bảo vệ bằng mật khẩu</translation>
    </message>
    <message>
        <source>The picture cannot be read</source>
        <translation>Không đọc được hình ảnh</translation>
    </message>
    <message>
        <source>The file cannot be read</source>
        <translation>Không đọc được tệp</translation>
    </message>
    <message>
        <source>The text file is too large to show</source>
        <translation>Tệp văn bản quá lớn để hiển thị</translation>
    </message>
    <message>
        <source>%1 files cannot be shown</source>
        <translation>Không hiển thị được tệp %1</translation>
    </message>
    <message>
        <source>No converter for %1 files on this machine (install LibreOffice)</source>
        <translation>Máy này không có trình chuyển đổi tệp %1 (hãy cài LibreOffice)</translation>
    </message>
    <message>
        <source>The conversion to PDF failed</source>
        <translation>Chuyển đổi sang PDF thất bại</translation>
    </message>
    <message>
        <source>The conversion to PDF took longer than %1 s</source>
        <translation>Chuyển đổi sang PDF mất quá %1 giây</translation>
    </message>
    <message>
        <source>The page cannot be drawn</source>
        <translation>Không vẽ được trang</translation>
    </message>
    <message>
        <source>The document cannot be shown</source>
        <translation>Không hiển thị được tài liệu</translation>
    </message>
</context>
<context>
    <name>HealthView</name>
    <message>
        <source>ok</source>
        <translation>bình thường</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>đang khởi động</translation>
    </message>
    <message>
        <source>stale</source>
        <translation>dữ liệu cũ</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>đang thử lại</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>lỗi</translation>
    </message>
    <message>
        <source>Connector</source>
        <translation>Kết nối</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Last data</source>
        <translation>Dữ liệu gần nhất</translation>
    </message>
    <message>
        <source>Last error / activity</source>
        <translation>Lỗi gần nhất / hoạt động</translation>
    </message>
    <message>
        <source>(attempt %1, next try within %2 s)</source>
        <translation>(lần %1, thử lại trong %2 giây)</translation>
    </message>
    <message>
        <source>(%1 min ago)</source>
        <translation>(%1 phút trước)</translation>
    </message>
</context>
<context>
    <name>KpiPainter</name>
    <message>
        <source>Indicator not available</source>
        <translation>Chỉ tiêu không khả dụng</translation>
    </message>
    <message>
        <source>card</source>
        <translation>thẻ</translation>
    </message>
    <message>
        <source>chart</source>
        <translation>biểu đồ</translation>
    </message>
    <message>
        <source>ranking</source>
        <translation>xếp hạng</translation>
    </message>
    <message>
        <source>table</source>
        <translation>bảng</translation>
    </message>
    <message>
        <source>no values yet</source>
        <translation>chưa có số liệu</translation>
    </message>
    <message>
        <source>source unavailable (%1)</source>
        <translation>mất nguồn (%1)</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>cập nhật lúc %1</translation>
    </message>
    <message>
        <source>SOURCE UNAVAILABLE, last value kept</source>
        <translation>MẤT NGUỒN, giữ giá trị cuối</translation>
    </message>
    <message>
        <source>STALE, last value kept</source>
        <translation>DỮ LIỆU CŨ, giữ giá trị cuối</translation>
    </message>
    <message>
        <source>%n min ago</source>
        <translation>%n phút trước</translation>
    </message>
    <message>
        <source>%n h ago</source>
        <translation>%n giờ trước</translation>
    </message>
    <message>
        <source>%n days ago</source>
        <translation>%n ngày trước</translation>
    </message>
    <message>
        <source>Source unavailable</source>
        <translation>Nguồn không khả dụng</translation>
    </message>
    <message>
        <source>Waiting for data</source>
        <translation>Đang chờ dữ liệu</translation>
    </message>
    <message>
        <source>vs previous period</source>
        <translation>so với kỳ trước</translation>
    </message>
    <message>
        <source>vs 1 h before</source>
        <translation>so với 1 giờ trước</translation>
    </message>
    <message>
        <source>within limits</source>
        <translation>trong ngưỡng</translation>
    </message>
    <message>
        <source>above warning threshold</source>
        <translation>vượt ngưỡng cảnh báo</translation>
    </message>
    <message>
        <source>above critical threshold</source>
        <translation>vượt ngưỡng nguy cấp</translation>
    </message>
    <message>
        <source>below warning threshold</source>
        <translation>dưới ngưỡng cảnh báo</translation>
    </message>
    <message>
        <source>below critical threshold</source>
        <translation>dưới ngưỡng nguy cấp</translation>
    </message>
    <message>
        <source>target %1</source>
        <translation>mục tiêu %1</translation>
    </message>
    <message>
        <source>total of %n units</source>
        <translation>tổng %n đơn vị</translation>
    </message>
    <message>
        <source>mean of %n units</source>
        <translation>trung bình %n đơn vị</translation>
    </message>
    <message>
        <source>no values</source>
        <translation>chưa có số liệu</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Giá trị</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Thay đổi</translation>
    </message>
    <message>
        <source>As of</source>
        <translation>Cập nhật</translation>
    </message>
</context>
<context>
    <name>OperatorWindow</name>
    <message>
        <source>IOC console – %1</source>
        <translation>Bàn điều hành IOC – %1</translation>
    </message>
    <message>
        <source>Wall (live) – drop a source on a tile; Del clears, arrows move</source>
        <translation>Màn hình tường (trực tiếp) – kéo nguồn vào ô; Del để xoá, phím mũi tên để di chuyển</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Nguồn dữ liệu</translation>
    </message>
    <message>
        <source>Connectors</source>
        <translation>Kết nối</translation>
    </message>
    <message>
        <source>Alerts (F6)</source>
        <translation>Cảnh báo (F6)</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Bố cục</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Cấu hình lưu sẵn</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>Gọi lại</translation>
    </message>
    <message>
        <source>Show the chosen preset on the wall (Alt+1…9)</source>
        <translation>Đưa cấu hình đã chọn lên màn hình tường (Alt+1…9)</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>Lưu…</translation>
    </message>
    <message>
        <source>Save the wall as a preset (Ctrl+S)</source>
        <translation>Lưu màn hình tường thành cấu hình (Ctrl+S)</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xoá</translation>
    </message>
    <message>
        <source>Clear tile</source>
        <translation>Xoá ô</translation>
    </message>
    <message>
        <source>Empty the selected tile (Del)</source>
        <translation>Làm trống ô đang chọn (Del)</translation>
    </message>
    <message>
        <source>Snapshot</source>
        <translation>Chụp hình</translation>
    </message>
    <message>
        <source>Save the selected camera tile's picture as PNG (Ctrl+Shift+S)</source>
        <translation>Lưu hình của ô camera đang chọn thành PNG (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Thông số</translation>
    </message>
    <message>
        <source>Show camera details on the tiles: fps, codec, delay (Ctrl+I)</source>
        <translation>Hiện thông số camera trên ô: fps, chuẩn nén, độ trễ (Ctrl+I)</translation>
    </message>
    <message>
        <source>Presentation</source>
        <translation>Trình chiếu</translation>
    </message>
    <message>
        <source>Presentation mode for a meeting: clean wall, title and clock, no alarms on the wall, sensitive cameras masked; again to return to live operations as before (F9)</source>
        <translation>Chế độ trình chiếu cho cuộc họp: màn hình gọn, tiêu đề và đồng hồ, không hiện cảnh báo trên màn hình tường, che camera nhạy cảm; bấm lần nữa để trở về trực như trước (F9)</translation>
    </message>
    <message>
        <source>Presenter view</source>
        <translation>Màn hình người trình bày</translation>
    </message>
    <message>
        <source>Current and next scene, notes and timers of the running briefing</source>
        <translation>Cảnh hiện tại và cảnh tiếp theo, ghi chú và thời gian của buổi giao ban đang chạy</translation>
    </message>
    <message>
        <source>Briefings</source>
        <translation>Giao ban</translation>
    </message>
    <message>
        <source>Papers</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Switch language (Ctrl+Shift+L)</source>
        <translation>Đổi ngôn ngữ (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <source>Layouts: Ctrl+1…7, or Ctrl+L to choose</source>
        <translation>Bố cục: Ctrl+1…7, hoặc Ctrl+L để chọn</translation>
    </message>
    <message>
        <source>2x2 hero</source>
        <translation>2x2 ô lớn giữa</translation>
    </message>
    <message>
        <source>Control API not available: %1</source>
        <translation>API điều khiển không khả dụng: %1</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>Bị từ chối: %1</translation>
    </message>
    <message>
        <source>Tile %1: %2</source>
        <translation>Ô %1: %2</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>trống</translation>
    </message>
    <message>
        <source>Briefing pack</source>
        <translation>Tài liệu giao ban</translation>
    </message>
    <message>
        <source>Mask this camera again</source>
        <translation>Che lại camera này</translation>
    </message>
    <message>
        <source>Lift the mask on this tile (logged)</source>
        <translation>Bỏ che ô này (có ghi nhật ký)</translation>
    </message>
    <message>
        <source>Show as</source>
        <translation>Hiển thị dạng</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Thẻ số liệu</translation>
    </message>
    <message>
        <source>Live chart</source>
        <translation>Biểu đồ trực tiếp</translation>
    </message>
    <message>
        <source>Ranking of units</source>
        <translation>Xếp hạng đơn vị</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>Bảng</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>Khoảng thời gian</translation>
    </message>
    <message>
        <source>Drill down to</source>
        <translation>Xem chi tiết đơn vị</translation>
    </message>
    <message>
        <source>Up to %1</source>
        <translation>Lên %1</translation>
    </message>
    <message>
        <source>Export picture (PNG)…</source>
        <translation>Xuất hình ảnh (PNG)…</translation>
    </message>
    <message>
        <source>Export data (CSV)…</source>
        <translation>Xuất dữ liệu (CSV)…</translation>
    </message>
    <message>
        <source>Keep at full frame rate when the machine is busy</source>
        <translation>Giữ đủ khung hình khi máy bận</translation>
    </message>
    <message>
        <source>When the computer cannot decode every camera at full rate, the console shows small tiles at one picture every two seconds; this tile keeps every frame.</source>
        <translation>Khi máy tính không giải mã kịp mọi camera ở đủ khung hình, bảng điều khiển cho các ô nhỏ hiện một hình mỗi hai giây; ô này vẫn giữ đủ mọi khung hình.</translation>
    </message>
    <message>
        <source>Snapshot (PNG)</source>
        <translation>Chụp hình (PNG)</translation>
    </message>
    <message>
        <source>Next page (PgDn)</source>
        <translation>Trang sau (PgDn)</translation>
    </message>
    <message>
        <source>Previous page (PgUp)</source>
        <translation>Trang trước (PgUp)</translation>
    </message>
    <message>
        <source>First page (Home)</source>
        <translation>Trang đầu (Home)</translation>
    </message>
    <message>
        <source>Fit page</source>
        <translation>Vừa trang</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>Vừa chiều ngang</translation>
    </message>
    <message>
        <source>Pointer (hold Shift and move the mouse)</source>
        <translation>Con trỏ (giữ Shift và di chuột)</translation>
    </message>
    <message>
        <source>Hide the pointer</source>
        <translation>Ẩn con trỏ</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Xuất không thành công: %1</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Đã lưu %1</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>Đồng ý</translation>
    </message>
    <message>
        <source>Assign alert</source>
        <translation>Giao xử lý cảnh báo</translation>
    </message>
    <message>
        <source>Assign to (agency or person):</source>
        <translation>Giao cho (cơ quan hoặc cá nhân):</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>Ghi chú:</translation>
    </message>
    <message>
        <source>How was it resolved? (optional)</source>
        <translation>Đã xử lý thế nào? (không bắt buộc)</translation>
    </message>
    <message>
        <source>Alert %1</source>
        <translation>Cảnh báo %1</translation>
    </message>
    <message>
        <source>Snapshot of tile %1 saved: %2</source>
        <translation>Đã lưu ảnh chụp ô %1: %2</translation>
    </message>
    <message>
        <source>Tile %1 has no camera picture to save</source>
        <translation>Ô %1 không có hình camera để lưu</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>Lưu cấu hình</translation>
    </message>
    <message>
        <source>Name of the preset (the wall as it is now):</source>
        <translation>Tên cấu hình (màn hình tường như hiện tại):</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>PresenterView</name>
    <message>
        <source>Scenes</source>
        <translation>Các cảnh</translation>
    </message>
    <message>
        <source>Scene time</source>
        <translation>Thời gian cảnh</translation>
    </message>
    <message>
        <source>Briefing time</source>
        <translation>Thời gian giao ban</translation>
    </message>
    <message>
        <source>Next scene</source>
        <translation>Cảnh tiếp theo</translation>
    </message>
    <message>
        <source>Speaker notes</source>
        <translation>Ghi chú người trình bày</translation>
    </message>
    <message>
        <source>No notes for this scene.</source>
        <translation>Cảnh này không có ghi chú.</translation>
    </message>
    <message>
        <source>PAUSED</source>
        <translation>TẠM DỪNG</translation>
    </message>
    <message>
        <source>WALL BLANKED</source>
        <translation>ĐÃ TẮT MÀN HÌNH TƯỜNG</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Trước</translation>
    </message>
    <message>
        <source>Previous scene (PageUp, Left, Up, Backspace)</source>
        <translation>Cảnh trước (PageUp, ←, ↑, Backspace)</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Tiếp</translation>
    </message>
    <message>
        <source>Next scene (PageDown, Right, Down, Space)</source>
        <translation>Cảnh tiếp (PageDown, →, ↓, phím cách)</translation>
    </message>
    <message>
        <source>Pause or resume the timers (P)</source>
        <translation>Tạm dừng hoặc tiếp tục đồng hồ (P)</translation>
    </message>
    <message>
        <source>Blank</source>
        <translation>Tắt màn hình</translation>
    </message>
    <message>
        <source>Black out the wall, or show it again (B or .)</source>
        <translation>Tắt màn hình tường, hoặc bật lại (B hoặc .)</translation>
    </message>
    <message>
        <source>End (back to live)</source>
        <translation>Kết thúc (về trực)</translation>
    </message>
    <message>
        <source>End the briefing and put the live wall back as it was (Esc)</source>
        <translation>Kết thúc giao ban và đưa màn hình tường về trạng thái trực như trước (Esc)</translation>
    </message>
    <message>
        <source>No briefing running</source>
        <translation>Không có buổi giao ban nào đang chạy</translation>
    </message>
    <message>
        <source>Presenter view – %1</source>
        <translation>Màn hình người trình bày – %1</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Scene %1 of %2</source>
        <translation>Cảnh %1/%2</translation>
    </message>
    <message>
        <source>Presenter: %1</source>
        <translation>Người trình bày: %1</translation>
    </message>
    <message>
        <source>End of the briefing</source>
        <translation>Hết buổi giao ban</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <source>+%1 over</source>
        <translation>quá %1</translation>
    </message>
</context>
<context>
    <name>SceneDialog</name>
    <message>
        <source>Scene</source>
        <translation>Cảnh</translation>
    </message>
    <message>
        <source>min</source>
        <translation>phút</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Tiêu đề</translation>
    </message>
    <message>
        <source>Presenter</source>
        <translation>Người trình bày</translation>
    </message>
    <message>
        <source>Planned time</source>
        <translation>Thời lượng dự kiến</translation>
    </message>
    <message>
        <source>Speaker notes</source>
        <translation>Ghi chú người trình bày</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>Đồng ý</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>SilenceDialog</name>
    <message>
        <source>Silence alerts</source>
        <translation>Tạm ẩn cảnh báo</translation>
    </message>
    <message>
        <source>(any)</source>
        <translation>(bất kỳ)</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Lĩnh vực</translation>
    </message>
    <message>
        <source>Unit code</source>
        <translation>Mã đơn vị</translation>
    </message>
    <message>
        <source>Source (connector)</source>
        <translation>Nguồn (kết nối)</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Mã</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>Số phút</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
</context>
<context>
    <name>SilenceList</name>
    <message>
        <source>Silences</source>
        <translation>Tạm ẩn</translation>
    </message>
    <message>
        <source>Silence…</source>
        <translation>Tạm ẩn…</translation>
    </message>
    <message>
        <source>Lift</source>
        <translation>Bỏ tạm ẩn</translation>
    </message>
    <message>
        <source>%1 · by %2 · %3 · %4 min %5 s left</source>
        <translation>%1 · do %2 · %3 · còn %4 phút %5 giây</translation>
    </message>
</context>
<context>
    <name>SourceBrowser</name>
    <message>
        <source>Cameras</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Indicators (KPI)</source>
        <translation>Chỉ tiêu (KPI)</translation>
    </message>
    <message>
        <source>Alert feeds</source>
        <translation>Luồng cảnh báo</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Camera tours</source>
        <translation>Tuần tra camera</translation>
    </message>
    <message>
        <source>Registers of papers</source>
        <translation>Sổ văn bản</translation>
    </message>
    <message>
        <source>Meeting agendas</source>
        <translation>Chương trình họp</translation>
    </message>
    <message>
        <source>Find a camera, indicator, unit… (Ctrl+F)</source>
        <translation>Tìm camera, chỉ tiêu, đơn vị… (Ctrl+F)</translation>
    </message>
    <message>
        <source>By connector</source>
        <translation>Theo kết nối</translation>
    </message>
    <message>
        <source>By unit</source>
        <translation>Theo đơn vị hành chính</translation>
    </message>
    <message>
        <source>No administrative unit</source>
        <translation>Không thuộc đơn vị hành chính</translation>
    </message>
</context>
<context>
    <name>TilePainter</name>
    <message>
        <source>%n s ago</source>
        <translation>%n giây trước</translation>
    </message>
    <message>
        <source>%n min ago</source>
        <translation>%n phút trước</translation>
    </message>
    <message>
        <source>%n h ago</source>
        <translation>%n giờ trước</translation>
    </message>
    <message>
        <source>Source not available</source>
        <translation>Nguồn không khả dụng</translation>
    </message>
    <message>
        <source>FROZEN AS OF %1</source>
        <translation>SỐ LIỆU CHỐT LÚC %1</translation>
    </message>
    <message>
        <source>Wall blanked (B to show it again)</source>
        <translation>Màn hình tường đang tắt (bấm B để hiện lại)</translation>
    </message>
    <message>
        <source>Empty tile</source>
        <translation>Ô trống</translation>
    </message>
    <message>
        <source>Authentication refused: check user name and password</source>
        <translation>Xác thực bị từ chối: kiểm tra tên đăng nhập và mật khẩu</translation>
    </message>
    <message>
        <source>Stream not found on the camera or server</source>
        <translation>Không tìm thấy luồng video trên camera hoặc máy chủ</translation>
    </message>
    <message>
        <source>Connection refused: camera or server is down</source>
        <translation>Kết nối bị từ chối: camera hoặc máy chủ đang tắt</translation>
    </message>
    <message>
        <source>Host unreachable: check the network</source>
        <translation>Không tới được thiết bị: kiểm tra mạng</translation>
    </message>
    <message>
        <source>No answer from the camera (timeout)</source>
        <translation>Camera không phản hồi (hết thời gian chờ)</translation>
    </message>
    <message>
        <source>Unsupported video codec</source>
        <translation>Chuẩn nén video không được hỗ trợ</translation>
    </message>
    <message>
        <source>The stream ended</source>
        <translation>Luồng video đã kết thúc</translation>
    </message>
    <message>
        <source>Stream error</source>
        <translation>Lỗi luồng video</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Đang kết nối…</translation>
    </message>
    <message>
        <source>attempt %1, next try in %2 s</source>
        <translation>lần %1, thử lại sau %2 giây</translation>
    </message>
    <message>
        <source>No picture for %n s</source>
        <translation>Mất hình %n giây</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>Đang kết nối lại</translation>
    </message>
    <message>
        <source>reduced rate: machine busy</source>
        <translation>giảm khung hình: máy bận</translation>
    </message>
    <message>
        <source>Camera masked for the meeting</source>
        <translation>Camera được che trong cuộc họp</translation>
    </message>
    <message>
        <source>light decode</source>
        <translation>giải mã nhẹ</translation>
    </message>
    <message>
        <source>delay %1 ms</source>
        <translation>trễ %1 ms</translation>
    </message>
    <message>
        <source>skipped ahead to live %1×</source>
        <translation>đã nhảy về trực tiếp %1 lần</translation>
    </message>
    <message>
        <source>kept at full rate when busy</source>
        <translation>giữ đủ khung hình khi máy bận</translation>
    </message>
    <message>
        <source>Tour starting…</source>
        <translation>Đang bắt đầu tuần tra…</translation>
    </message>
    <message>
        <source>(paused)</source>
        <translation>(tạm dừng)</translation>
    </message>
    <message>
        <source>Waiting for data</source>
        <translation>Đang chờ dữ liệu</translation>
    </message>
    <message>
        <source>No alerts</source>
        <translation>Không có cảnh báo</translation>
    </message>
</context>
<context>
    <name>WallManager</name>
    <message>
        <source>Wall %1</source>
        <translation>Màn hình tường %1</translation>
    </message>
    <message>
        <source>Wall (scaled window)</source>
        <translation>Màn hình tường (cửa sổ thu nhỏ)</translation>
    </message>
    <message>
        <source>Wall shown in a scaled window (requested).</source>
        <translation>Màn hình tường hiển thị trong cửa sổ thu nhỏ (theo yêu cầu).</translation>
    </message>
    <message>
        <source>Wall on %1 screens.</source>
        <translation>Màn hình tường trên %1 màn hình.</translation>
    </message>
    <message>
        <source>Wall on %1 of %2 screens; missing: %3.</source>
        <translation>Màn hình tường trên %1/%2 màn hình; thiếu: %3.</translation>
    </message>
    <message>
        <source>Wall screens not found (%1); showing the wall in a scaled window.</source>
        <translation>Không tìm thấy màn hình tường (%1); hiển thị màn hình tường trong cửa sổ thu nhỏ.</translation>
    </message>
</context>
</TS>