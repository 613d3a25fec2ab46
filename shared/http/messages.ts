import type { ErrorKind } from '../domain/errors.ts';

export type Locale = 'vi' | 'en';

type Text = Record<Locale, string>;

/** Titles of the problem types: short, the same for every occurrence of the kind (RFC 9457 §3.1.3). */
export const problemTitles: Record<ErrorKind | 'internal', Text> = {
  validation_failed: { vi: 'Dữ liệu gửi lên không hợp lệ', en: 'The request is not valid' },
  not_found: { vi: 'Không tìm thấy', en: 'Not found' },
  unauthenticated: { vi: 'Chưa xác thực', en: 'Not authenticated' },
  forbidden: { vi: 'Không có quyền', en: 'Forbidden' },
  action_not_allowed: {
    vi: 'Thao tác không được phép ở trạng thái hiện tại',
    en: 'Action not allowed in the current status',
  },
  version_mismatch: { vi: 'Hồ sơ đã được cập nhật bởi người khác', en: 'The dossier has changed since it was read' },
  precondition_required: { vi: 'Thiếu điều kiện phiên bản', en: 'A version precondition is required' },
  unprocessable: { vi: 'Không thể xử lý yêu cầu', en: 'The request cannot be processed' },
  unsupported_media_type: { vi: 'Định dạng nội dung không được hỗ trợ', en: 'Unsupported media type' },
  not_acceptable: { vi: 'Không có định dạng trả lời phù hợp', en: 'Not acceptable' },
  conflict: { vi: 'Xung đột dữ liệu', en: 'Conflict' },
  too_many_requests: { vi: 'Quá nhiều lần thử', en: 'Too many attempts' },
  unavailable: { vi: 'Hệ thống tạm thời bận', en: 'Temporarily unavailable' },
  internal: { vi: 'Lỗi hệ thống', en: 'Internal error' },
};

/**
 * Messages of our own rules and errors, by key. `{name}` is replaced by the parameter of that name.
 * A key missing here is a bug the tests catch (test/unit/http/messages.test.ts).
 */
export const messages: Record<string, Text> = {
  validation_failed: {
    vi: 'Có {count} trường không hợp lệ; xem danh sách lỗi.',
    en: '{count} field(s) are not valid; see the list of errors.',
  },
  malformed_json: { vi: 'Nội dung không phải JSON hợp lệ.', en: 'The body is not valid JSON.' },
  json_required: {
    vi: 'Nội dung phải có Content-Type: application/json.',
    en: 'The body must be sent with Content-Type: application/json.',
  },
  internal: {
    vi: 'Đã có lỗi ngoài dự kiến. Vui lòng thử lại; nếu lỗi lặp lại, báo mã tra cứu {correlationId} cho quản trị viên.',
    en: 'Something unexpected went wrong. Try again; if it persists, give the administrator the reference {correlationId}.',
  },
  unauthenticated: { vi: 'Cần đăng nhập hoặc mã truy cập hợp lệ.', en: 'A valid sign-in or access token is required.' },
  forbidden_route: {
    vi: 'Vai trò của bạn không được dùng chức năng này.',
    en: 'Your role may not use this function.',
  },
  route_not_found: { vi: 'Không có đường dẫn {path}.', en: 'There is no route {path}.' },
  forbidden_route_scope: {
    vi: 'Ứng dụng của bạn không có phạm vi (scope) cho chức năng này.',
    en: 'Your app client lacks the scope for this function.',
  },
  cursor_invalid: {
    vi: 'Con trỏ phân trang không hợp lệ hoặc thuộc về bộ lọc khác.',
    en: 'The page cursor is not valid or belongs to other filters.',
  },
  dossier_not_found: { vi: 'Không có hồ sơ {code}.', en: 'There is no dossier {code}.' },
  procedure_not_found: {
    vi: 'Không có thủ tục {code} trong danh mục.',
    en: 'There is no procedure {code} in the catalog.',
  },
  public_lookup_failed: {
    vi: 'Không tìm thấy hồ sơ với mã và mã tra cứu (PIN) này.',
    en: 'No dossier matches this code and lookup PIN.',
  },
  dossier_incomplete: {
    vi: 'Hồ sơ chưa đủ thành phần bắt buộc: {missing}.',
    en: 'The dossier lacks mandatory components: {missing}.',
  },
  idempotency_key_reused: {
    vi: 'Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.',
    en: 'This Idempotency-Key was already used for a request with a different body.',
  },
  intake_busy: {
    vi: 'Hệ thống đang bận cấp số hồ sơ; vui lòng gửi lại.',
    en: 'Dossier numbering is busy; send the request again.',
  },
  daily_sequence_exhausted: {
    vi: 'Đã hết số thứ tự hồ sơ của ngày {date}.',
    en: 'The dossier numbers of {date} are used up.',
  },
  action_not_allowed: {
    vi: 'Không thể thực hiện "{action}" khi hồ sơ đang ở trạng thái "{status}".',
    en: 'The action "{action}" is not allowed while the dossier is "{status}".',
  },
  action_forbidden_role: {
    vi: 'Thao tác "{action}" chỉ dành cho: {roles}.',
    en: 'The action "{action}" is reserved for: {roles}.',
  },
  version_mismatch: {
    vi: 'Hồ sơ đã thay đổi (bạn xem phiên bản {seen}, hiện là {current}). Hãy tải lại rồi thao tác lại.',
    en: 'The dossier has changed (you saw version {seen}, it is now {current}). Reload it and try again.',
  },
  version_mismatch_race: {
    vi: 'Một thao tác khác trên hồ sơ này vừa được thực hiện. Hãy tải lại rồi thao tác lại.',
    en: 'Another action on this dossier has just been taken. Reload it and try again.',
  },
  etag_unknown: {
    vi: 'If-Match không phải ETag của hồ sơ này; hãy lấy ETag mới bằng GET /dossiers/{code}.',
    en: 'If-Match is not an ETag of this dossier; get a fresh one with GET /dossiers/{code}.',
  },
  if_match_required: {
    vi: 'Cần header If-Match với ETag của hồ sơ (lấy từ GET /dossiers/{code}).',
    en: 'An If-Match header with the dossier ETag is required (from GET /dossiers/{code}).',
  },
  payment_without_fee: { vi: 'Thủ tục này không thu phí, lệ phí.', en: 'This procedure has no fee.' },
  payment_already_recorded: {
    vi: 'Đã ghi nhận thanh toán cho hồ sơ này.',
    en: 'A payment is already recorded for this dossier.',
  },
  apology_new_due_not_later: {
    vi: 'Ngày hẹn trả mới phải sau ngày hẹn hiện tại ({dueAt}).',
    en: 'The new due date must be after the current one ({dueAt}).',
  },
  apology_new_due_day_off: {
    vi: 'Ngày hẹn trả mới ({date}) là ngày nghỉ; hãy chọn một ngày làm việc.',
    en: 'The new due date ({date}) is a day off; choose a working day.',
  },
  dossier_finished: {
    vi: 'Hồ sơ {code} đã kết thúc ({status}); không nhận thêm tài liệu.',
    en: 'Dossier {code} is finished ({status}); it takes no more documents.',
  },
  component_not_filed: {
    vi: 'Hồ sơ không có thành phần {component}.',
    en: 'The dossier has no component {component}.',
  },
  report_period_order: {
    vi: 'Ngày kết thúc phải từ ngày bắt đầu trở đi.',
    en: 'The last day must not be before the first.',
  },
  report_one_scope: {
    vi: 'Chọn lĩnh vực hoặc thủ tục, không chọn cả hai.',
    en: 'Choose a field or a procedure, not both.',
  },
  assignee_or_department: { vi: 'Cần chỉ định người xử lý hoặc phòng ban.', en: 'Name an assignee or a department.' },
  unknown_procedure: {
    vi: 'Không có thủ tục {code} trong danh mục của đơn vị.',
    en: 'There is no procedure {code} in this unit’s catalog.',
  },
  unknown_component: {
    vi: 'Thành phần {code} không thuộc thủ tục {procedure}.',
    en: 'Component {code} does not belong to procedure {procedure}.',
  },
  portal_files_online: {
    vi: 'Cổng dịch vụ công chỉ nộp hồ sơ trực tuyến (online).',
    en: 'A portal files online dossiers only.',
  },
  counter_files_in_person_or_postal: {
    vi: 'Tại Bộ phận Một cửa chỉ tiếp nhận hồ sơ trực tiếp (in_person) hoặc qua bưu chính (postal).',
    en: 'The counter files in_person or postal dossiers only.',
  },
  no_online_service: {
    vi: 'Thủ tục {procedure} không cung cấp dịch vụ công trực tuyến.',
    en: 'Procedure {procedure} has no online service.',
  },
  payment_required: {
    vi: 'Thủ tục có phí, lệ phí {fee} đồng: cần cho biết cách thanh toán (online, cash hoặc exempt).',
    en: 'The procedure has a fee of {fee} VND: say how it is paid (online, cash or exempt).',
  },
  no_fee: {
    vi: 'Thủ tục không thu phí; không cần thông tin thanh toán.',
    en: 'The procedure has no fee; leave payment out.',
  },
  // Trust: signed client state, receipt PINs, the public lookup.
  idempotency_key_required: {
    vi: 'Cổng dịch vụ công phải gửi header Idempotency-Key với mỗi hồ sơ, để gửi lại không tạo hồ sơ thứ hai.',
    en: 'A portal must send an Idempotency-Key header with each filing, so that a retry never creates a second dossier.',
  },
  lookup_locked: {
    vi: 'Đã nhập sai mã tra cứu quá nhiều lần cho hồ sơ này; vui lòng thử lại sau {retryAfterSeconds} giây.',
    en: 'Too many wrong lookup PINs for this dossier; try again in {retryAfterSeconds} seconds.',
  },
  request_out_of_time: {
    vi: 'Hệ thống không kịp xử lý yêu cầu; vui lòng gửi lại sau {retryAfterSeconds} giây (với cùng Idempotency-Key nếu có).',
    en: 'The request could not be completed in time; send it again in {retryAfterSeconds} seconds (with the same Idempotency-Key, if any).',
  },
  // Uploads of documents.
  sha256_hex: {
    vi: 'Mã SHA-256 gồm đúng 64 ký tự thập lục phân (0–9, a–f).',
    en: 'A SHA-256 digest is exactly 64 hexadecimal characters (0–9, a–f).',
  },
  // Health (GET /health).
  health_table_failing: {
    vi: 'Hệ thống của phường tạm thời không hoạt động: cơ sở dữ liệu không phản hồi.',
    en: 'The ward instance is not working right now: its table did not answer.',
  },
  // Workflow, staff directory, payments, calendar bounds and clean text (issue 6, workflow helper).
  calendar_out_of_range: {
    vi: 'Lịch làm việc chỉ tính các năm {first}–{last}; năm {year} nằm ngoài phạm vi này.',
    en: 'The working calendar counts the years {first}–{last} only; {year} is outside them.',
  },
  calendar_span_too_long: {
    vi: 'Khoảng thời gian cần tính vượt quá {days} ngày mà lịch làm việc cho phép.',
    en: 'The stretch of time to count is longer than the {days} days the working calendar allows.',
  },
  date_in_calendar_range: {
    vi: 'Ngày phải thuộc các năm {first}–{last}.',
    en: 'The date must be within the years {first}–{last}.',
  },
  report_period_too_long: {
    vi: 'Kỳ báo cáo dài tối đa {days} ngày.',
    en: 'A report period is at most {days} days long.',
  },
  action_assigned_to_other: {
    vi: 'Hồ sơ đã được phân công cho người khác xử lý; bạn không thực hiện được thao tác "{action}".',
    en: 'The dossier is assigned to someone else; you may not take the action "{action}".',
  },
  assignee_in_staff_directory: {
    vi: 'Không có chuyên viên hoặc lãnh đạo "{assignee}" trong danh sách cán bộ của đơn vị.',
    en: 'There is no specialist or leader "{assignee}" in the ward’s staff directory.',
  },
  department_in_staff_directory: {
    vi: 'Không có chuyên viên nào thuộc phòng ban "{department}" trong danh sách cán bộ của đơn vị.',
    en: 'No specialist of the ward’s staff directory belongs to the department "{department}".',
  },
  assignee_in_department: {
    vi: 'Cán bộ "{assignee}" không thuộc phòng ban "{department}".',
    en: 'Staff member "{assignee}" does not belong to the department "{department}".',
  },
  payment_amount_equals_fee: {
    vi: 'Số tiền thanh toán ({amount} đồng) phải bằng đúng phí, lệ phí của hồ sơ ({fee} đồng).',
    en: 'The amount paid ({amount} VND) must be the dossier’s fee exactly ({fee} VND).',
  },
  online_payment_reference: {
    vi: 'Thanh toán trực tuyến cần có mã giao dịch (transactionRef).',
    en: 'An online payment needs its transaction reference (transactionRef).',
  },
  exemption_legal_basis: {
    vi: 'Miễn phí, lệ phí phải ghi căn cứ pháp lý (legalBasis), ví dụ "Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC".',
    en: 'An exemption must state its legal basis (legalBasis), e.g. "Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC".',
  },
  exemption_not_paid: {
    vi: 'Hồ sơ được miễn phí, lệ phí thì không có khoản đã nộp (paid phải là false).',
    en: 'An exempt dossier pays nothing (paid must be false).',
  },
  exemption_without_amount: {
    vi: 'Hồ sơ được miễn phí, lệ phí không ghi số tiền thanh toán.',
    en: 'An exemption carries no amount.',
  },
  exemption_without_transaction: {
    vi: 'Hồ sơ được miễn phí, lệ phí không có mã giao dịch.',
    en: 'An exemption has no transaction reference.',
  },
  legal_basis_only_for_exemption: {
    vi: 'Căn cứ pháp lý (legalBasis) chỉ ghi khi miễn phí, lệ phí.',
    en: 'A legal basis (legalBasis) is stated for an exemption only.',
  },
  apology_once: {
    vi: 'Hồ sơ đã có văn bản xin lỗi và hẹn lại ngày trả kết quả ({at}); việc hẹn lại chỉ được thực hiện một lần.',
    en: 'An apology with a new date was already issued for this dossier ({at}); a new date is set only once.',
  },
  apology_new_due_too_far: {
    vi: 'Ngày hẹn trả mới không được muộn hơn ngày {latest} (thêm tối đa một lần thời hạn giải quyết theo quy định).',
    en: 'The new due date may be no later than {latest} (at most the legal processing time once more).',
  },
  text_control_character: {
    vi: 'Văn bản không được chứa ký tự điều khiển (như tab hoặc ký tự ẩn); chỉ ghi chú và lý do được xuống dòng.',
    en: 'Text may not contain control characters (a tab, a hidden character); only notes and reasons may have line breaks.',
  },
  text_format_character: {
    vi: 'Văn bản không được chứa ký tự định dạng ẩn (đảo chiều văn bản, ký tự độ rộng 0…).',
    en: 'Text may not contain invisible format characters (direction overrides, zero-width characters…).',
  },
  text_unpaired_surrogate: {
    vi: 'Văn bản chứa một nửa cặp thay thế UTF-16 (surrogate) đứng riêng, không phải ký tự hợp lệ.',
    en: 'Text contains half of a UTF-16 surrogate pair on its own, which is no character.',
  },
  text_line_break: { vi: 'Trường này chỉ gồm một dòng.', en: 'This field is a single line.' },
  // Attacks on the API (issue 6): what a hostile portal must not state.
  cash_paid_at_counter: {
    vi: 'Tiền mặt chỉ nộp tại Bộ phận Một cửa và do cán bộ ghi nhận; cổng dịch vụ công ghi nhận thanh toán trực tuyến kèm mã giao dịch.',
    en: 'Cash is paid at the one-stop counter and recorded by its officer; a portal records online payments, with their transaction reference.',
  },
  // Deadlines: verdicts and apologies (issue 9).
  apology_after_last_day: {
    vi: 'Văn bản xin lỗi và hẹn lại ngày trả kết quả phải được gửi chậm nhất 01 ngày trước ngày hết hạn ({dueDate}), tức là đến hết ngày {lastDay}; đã quá thời hạn đó, hồ sơ sẽ được tính là quá hạn.',
    en: 'An apology with a new date must be sent at the latest one day before the due date ({dueDate}), that is by the end of {lastDay}; that day has passed, and the dossier will count as late.',
  },
  // Document verification (issue 10): why a file that starts like its type is not one (the upload's `defect`).
  malformed: {
    vi: 'Tệp có phần đầu giống định dạng đã khai nhưng nội dung không đúng cấu trúc của định dạng đó.',
    en: 'The file starts like the declared type but its content does not have that type’s structure.',
  },
  pdf_version: {
    vi: 'Tệp không bắt đầu bằng phiên bản PDF hợp lệ (%PDF-1.0 đến %PDF-2.0).',
    en: 'The file does not start with a valid PDF version (%PDF-1.0 to %PDF-2.0).',
  },
  pdf_no_eof: {
    vi: 'Tệp PDF không kết thúc bằng %%EOF: tệp bị cắt ngắn hoặc không phải PDF.',
    en: 'The PDF does not end with %%EOF: it is cut short or not a PDF.',
  },
  pdf_no_startxref: {
    vi: 'Tệp PDF không có startxref trỏ tới bảng tham chiếu chéo ở cuối tệp.',
    en: 'The PDF has no startxref pointing at its cross-reference section at its end.',
  },
  pdf_xref_offset: {
    vi: 'startxref của tệp PDF trỏ tới vị trí {offset}, nơi không có bảng hay luồng tham chiếu chéo.',
    en: 'The PDF’s startxref points at offset {offset}, where there is no cross-reference table or stream.',
  },
  pdf_xref_table: {
    vi: 'Bảng tham chiếu chéo của tệp PDF tại vị trí {offset} sai cấu trúc.',
    en: 'The PDF’s cross-reference table at offset {offset} is malformed.',
  },
  pdf_no_trailer: {
    vi: 'Tệp PDF không có phần trailer sau bảng tham chiếu chéo.',
    en: 'The PDF has no trailer after its cross-reference table.',
  },
  pdf_no_root: {
    vi: 'Phần trailer của tệp PDF không chỉ ra danh mục tài liệu (/Root).',
    en: 'The PDF’s trailer names no document catalogue (/Root).',
  },
  pdf_root_object: {
    vi: 'Bảng tham chiếu chéo không trỏ tới đúng đối tượng {object}, danh mục tài liệu của tệp PDF.',
    en: 'The cross-reference table does not point at object {object}, the PDF’s document catalogue.',
  },
  jpeg_segment: {
    vi: 'Tệp JPEG sai cấu trúc tại vị trí {offset} (phân đoạn không hợp lệ hoặc vượt quá cuối tệp).',
    en: 'The JPEG is malformed at offset {offset} (an invalid segment, or one running past the end).',
  },
  jpeg_no_frame: {
    vi: 'Tệp JPEG không có phần đầu khung ảnh (SOF) cho biết kích thước ảnh.',
    en: 'The JPEG has no frame header (SOF) giving the image’s size.',
  },
  jpeg_dimensions: {
    vi: 'Ảnh JPEG có kích thước không hợp lệ: rộng {width}, cao {height}.',
    en: 'The JPEG’s dimensions are invalid: {width} wide, {height} high.',
  },
  jpeg_no_end: {
    vi: 'Tệp JPEG không kết thúc bằng dấu kết thúc ảnh (EOI): tệp bị cắt ngắn.',
    en: 'The JPEG does not end with its end-of-image marker (EOI): it is cut short.',
  },
  png_no_header: {
    vi: 'Tệp PNG không có phần đầu IHDR hợp lệ ngay sau chữ ký.',
    en: 'The PNG has no valid IHDR header right after its signature.',
  },
  png_header_crc: {
    vi: 'Mã kiểm tra CRC của phần đầu IHDR trong tệp PNG không đúng.',
    en: 'The CRC of the PNG’s IHDR header is wrong.',
  },
  png_dimensions: {
    vi: 'Ảnh PNG có kích thước không hợp lệ: rộng {width}, cao {height}.',
    en: 'The PNG’s dimensions are invalid: {width} wide, {height} high.',
  },
  png_pixel_format: {
    vi: 'Ảnh PNG có độ sâu bit {bitDepth} không hợp lệ với kiểu màu {colourType}, hoặc phương thức nén không hợp lệ.',
    en: 'The PNG’s bit depth {bitDepth} is not valid for colour type {colourType}, or its methods are invalid.',
  },
  png_chunk: {
    vi: 'Tệp PNG sai cấu trúc tại vị trí {offset} (khối không hợp lệ hoặc vượt quá cuối tệp).',
    en: 'The PNG is malformed at offset {offset} (an invalid chunk, or one running past the end).',
  },
  png_chunk_crc: {
    vi: 'Mã kiểm tra CRC của khối {chunk} trong tệp PNG không đúng: dữ liệu bị hỏng.',
    en: 'The CRC of the PNG’s {chunk} chunk is wrong: its data is corrupt.',
  },
  png_no_data: { vi: 'Tệp PNG không có dữ liệu ảnh (IDAT).', en: 'The PNG has no image data (IDAT).' },
  png_no_end: {
    vi: 'Tệp PNG không kết thúc bằng khối IEND: tệp bị cắt ngắn hoặc có dữ liệu thừa.',
    en: 'The PNG does not end with its IEND chunk: it is cut short or has bytes after it.',
  },
  tiff_directory: {
    vi: 'Tệp TIFF không có thư mục ảnh (IFD) hợp lệ.',
    en: 'The TIFF has no valid image file directory (IFD).',
  },
  tiff_dimensions: {
    vi: 'Thư mục ảnh của tệp TIFF không cho kích thước hợp lệ: rộng {width}, cao {height}.',
    en: 'The TIFF’s directory gives no valid dimensions: {width} wide, {height} high.',
  },
  unknown_type: {
    vi: 'Không kiểm tra được cấu trúc của định dạng tệp này.',
    en: 'The structure of this file type cannot be checked.',
  },
  // Documents of a dossier (issue 10).
  document_not_found: {
    vi: 'Hồ sơ {code} không có tài liệu {id}.',
    en: 'Dossier {code} has no document {id}.',
  },
  // Formats of a report (issue 11, CSV and printable HTML).
  media_type_not_acceptable: {
    vi: 'Không thể trả lời theo định dạng mà tiêu đề Accept yêu cầu. Các định dạng có: {available}.',
    en: 'None of the media types the Accept header asks for is available. Available: {available}.',
  },
  // Results, extra pages, e-results and supplements of documents (issue 10, docresults).
  online_return_needs_e_result: {
    vi: 'Trả kết quả trực tuyến cần kết quả điện tử đã được kiểm tra của hồ sơ {code}; hãy tải kết quả lên (POST /dossiers/{code}/documents, kind result) hoặc trả kết quả trực tiếp hay qua bưu chính.',
    en: 'An online return needs a verified electronic result of dossier {code}; upload it (POST /dossiers/{code}/documents, kind result) or return the result in person or by post.',
  },
  result_form_paper: {
    vi: 'Thủ tục {procedure} chỉ trả kết quả bằng bản giấy; hồ sơ không nhận kết quả điện tử.',
    en: 'Procedure {procedure} issues its result on paper only; the dossier takes no electronic result.',
  },
  result_not_resolved: {
    vi: 'Hồ sơ {code} đang ở trạng thái {status}; kết quả chỉ được tải lên khi hồ sơ đã được phê duyệt (resolved).',
    en: 'Dossier {code} is {status}; a result is uploaded only once the dossier is approved (resolved).',
  },
  office_papers_by_staff: {
    vi: 'Chỉ cán bộ xử lý hồ sơ được tải lên {kind}; cổng dịch vụ công nộp thành phần hồ sơ, giấy tờ chưa có trong hồ sơ nộp qua yêu cầu bổ sung.',
    en: 'Only staff handling the dossier upload a {kind}; a portal uploads the dossier’s components, and a paper the dossier does not list through a supplement.',
  },
  document_empty: { vi: 'Tệp tải lên rỗng.', en: 'The uploaded file is empty.' },
  document_too_large: { vi: 'Tệp lớn hơn 20 MiB.', en: 'The file is larger than 20 MiB.' },
  document_size_mismatch: {
    vi: 'Kích thước tệp khác kích thước đã khai.',
    en: 'The file’s size is not the declared one.',
  },
  document_checksum_mismatch: {
    vi: 'Mã SHA-256 của tệp khác mã đã khai: tệp không phải tệp đã khai hoặc bị hỏng khi tải lên.',
    en: 'The file’s SHA-256 is not the declared one: it is another file, or was damaged on the way.',
  },
  document_unsupported_type: {
    vi: 'Tệp không phải PDF, JPEG, PNG hay TIFF.',
    en: 'The file is no PDF, JPEG, PNG or TIFF.',
  },
  document_type_mismatch: {
    vi: 'Định dạng thật của tệp khác định dạng đã khai.',
    en: 'The file’s real type is not the declared one.',
  },
  document_ticket_used: {
    vi: 'Đường dẫn tải lên đã được dùng cho một tệp khác.',
    en: 'The upload URL was already used by another file.',
  },
  document_not_resolved: {
    vi: 'Hồ sơ đã rời trạng thái đã giải quyết (resolved) trước khi kết quả được kiểm tra.',
    en: 'The dossier left resolved before the result was checked.',
  },
  // Reuse of an earlier dossier's document (issue 10).
  document_reuse_busy: {
    vi: 'Hồ sơ {code} đang được cập nhật; vui lòng gửi lại yêu cầu tái sử dụng.',
    en: 'Dossier {code} is being updated; send the reuse again.',
  },
  // Report periods and groups (issue 11, figures).
  report_period_one_form: {
    vi: 'Chọn kỳ báo cáo bằng period hoặc bằng from và to, không dùng cả hai.',
    en: 'Name the period either with period or with from and to, not both.',
  },
  report_period_required: {
    vi: 'Cần ngày bắt đầu và ngày kết thúc (from, to) hoặc một kỳ (period).',
    en: 'Give a first and a last day (from, to) or a period.',
  },
  report_period_name: {
    vi: 'Kỳ báo cáo là một năm (2025), một quý (2025-Q3) hoặc một tháng (2025-09).',
    en: 'A period is a year (2025), a quarter (2025-Q3) or a month (2025-09).',
  },
  report_group_in_scope: {
    vi: 'Báo cáo của một lĩnh vực chỉ chia theo thủ tục; báo cáo của một thủ tục không chia nhóm.',
    en: 'A report of a field is grouped by procedure only; a report of a procedure is not grouped.',
  },
  report_too_many_groups: {
    vi: 'Có {groups} nhóm, quá mức {max} nhóm của một báo cáo.',
    en: 'There are {groups} groups, more than the {max} a report gives.',
  },
  // Deliveries of status changes to portals (issue 12).
  delivery_not_found: {
    vi: 'Không có lượt gửi {id}.',
    en: 'There is no delivery {id}.',
  },
  delivery_not_failed: {
    vi: 'Lượt gửi {id} chưa thất bại (trạng thái: {state}): chỉ gửi lại lượt đã thất bại.',
    en: 'Delivery {id} has not failed (state: {state}): only a failed delivery is sent again.',
  },
  portal_not_found: {
    vi: 'Không có cổng {portal} nhận thay đổi trạng thái.',
    en: 'There is no portal {portal} taking status changes.',
  },
  // Ratings and feedback of citizens (issue 12).
  rating_not_returned: {
    vi: 'Hồ sơ {code} chưa trả kết quả: chỉ đánh giá được sau khi nhận kết quả.',
    en: 'The result of dossier {code} has not been handed over: it can be rated only after that.',
  },
  rating_exists: {
    vi: 'Hồ sơ {code} đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.',
    en: 'Dossier {code} was already rated; each dossier is rated once.',
  },
  feedback_not_found: { vi: 'Không có phản ánh, kiến nghị {code}.', en: 'There is no feedback {code}.' },
  feedback_lookup_failed: {
    vi: 'Không tìm thấy phản ánh, kiến nghị với mã và mã tra cứu (PIN) này.',
    en: 'No feedback matches this code and PIN.',
  },
  feedback_changed: {
    vi: 'Phản ánh, kiến nghị {code} vừa được cập nhật bởi người khác; vui lòng tải lại.',
    en: 'Feedback {code} was changed by someone else meanwhile; read it again.',
  },
  feedback_source_limit: {
    vi: 'Đã gửi quá nhiều phản ánh, kiến nghị từ địa chỉ này; vui lòng thử lại sau {retryAfterSeconds} giây.',
    en: 'Too much feedback from this address; try again in {retryAfterSeconds} seconds.',
  },
  feedback_daily_limit: {
    vi: 'Hôm nay phường đã nhận đủ số phản ánh, kiến nghị tối đa qua mạng; vui lòng thử lại sau {retryAfterSeconds} giây.',
    en: 'The ward has taken all the online feedback it takes today; try again in {retryAfterSeconds} seconds.',
  },
  // Field rules of our own.
  citizen_id: { vi: 'Số định danh cá nhân gồm đúng 12 chữ số.', en: 'A citizen ID number has exactly 12 digits.' },
  vn_phone: {
    vi: 'Số điện thoại Việt Nam gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).',
    en: 'A Vietnamese phone number has 10 digits starting with 0 (or +84).',
  },
};

export function render(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function message(key: string, locale: Locale, params?: Record<string, unknown>): string | undefined {
  const text = messages[key];
  return text ? render(text[locale], params) : undefined;
}

/**
 * The caller's language from Accept-Language: English when English is preferred over Vietnamese,
 * Vietnamese otherwise (the default).
 */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'vi';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((l) => Number.isFinite(l.q) && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === 'vi' || tag.startsWith('vi-')) return 'vi';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'vi';
}
