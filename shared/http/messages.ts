import type { ErrorKind } from '../domain/errors.ts';

export type Locale = 'vi' | 'en';

type Text = Record<Locale, string>;

/** Titles of the problem types: short, the same for every occurrence of the kind (RFC 9457 §3.1.3). */
export const problemTitles: Record<ErrorKind | 'internal', Text> = {
  validation_failed: { vi: 'Dữ liệu gửi lên không hợp lệ', en: 'The request is not valid' },
  not_found: { vi: 'Không tìm thấy', en: 'Not found' },
  unauthenticated: { vi: 'Chưa xác thực', en: 'Not authenticated' },
  forbidden: { vi: 'Không có quyền', en: 'Forbidden' },
  action_not_allowed: { vi: 'Thao tác không được phép ở trạng thái hiện tại', en: 'Action not allowed in the current status' },
  version_mismatch: { vi: 'Hồ sơ đã được cập nhật bởi người khác', en: 'The dossier has changed since it was read' },
  precondition_required: { vi: 'Thiếu điều kiện phiên bản', en: 'A version precondition is required' },
  unprocessable: { vi: 'Không thể xử lý yêu cầu', en: 'The request cannot be processed' },
  unsupported_media_type: { vi: 'Định dạng nội dung không được hỗ trợ', en: 'Unsupported media type' },
  conflict: { vi: 'Xung đột dữ liệu', en: 'Conflict' },
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
