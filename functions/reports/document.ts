import type * as z from 'zod';
import type { reportView } from '../../shared/api/reports.ts';
import type { Procedure } from '../../shared/domain/catalog.ts';
import type { ReportDocument, ReportMonth } from '../../shared/domain/report-document.ts';

type ReportView = z.output<typeof reportView>;

/** What a report covers, in words, with the catalog's names where it knows the code. */
export function scopeInWords(
  query: { field?: string | undefined; procedure?: string | undefined },
  procedures: readonly Procedure[],
): string {
  if (query.procedure) {
    const procedure = procedures.find((p) => p.code === query.procedure);
    return procedure ? `Thủ tục ${procedure.code}: ${procedure.name}` : `Thủ tục ${query.procedure}`;
  }
  if (query.field) {
    const field = procedures.find((p) => p.field.code === query.field)?.field;
    return field ? `Lĩnh vực ${field.name} (${field.code})` : `Lĩnh vực ${query.field}`;
  }
  return 'Toàn đơn vị';
}

/**
 * The JSON view as the CSV and HTML renderers read it: each figure under a Vietnamese heading and label. The one
 * place that knows both the view's names and the printed ones.
 */
export function reportDocument(view: ReportView, scope: string, series: readonly ReportMonth[]): ReportDocument {
  const { received, online, resolved, outcomes, fees } = view;
  return {
    ward: view.ward,
    period: view.period,
    scope,
    sections: [
      {
        heading: 'Tiếp nhận hồ sơ',
        rows: [
          { label: 'Tổng số hồ sơ tiếp nhận', value: received.total },
          { label: 'Tiếp nhận trực tuyến', value: received.online },
          { label: 'Tiếp nhận trực tiếp', value: received.inPerson },
          { label: 'Tiếp nhận qua bưu chính công ích', value: received.postal },
          { label: 'Từ chối tiếp nhận', value: received.notAccepted },
        ],
      },
      {
        heading: 'Dịch vụ công trực tuyến',
        rows: [
          { label: 'Tỷ lệ hồ sơ trực tuyến trên tổng số hồ sơ tiếp nhận', value: online.shareOfReceived },
          { label: 'Tỷ lệ hồ sơ trực tuyến của thủ tục có dịch vụ trực tuyến', value: online.rateWhereOffered },
          { label: 'Tỷ lệ hồ sơ trực tuyến của thủ tục trực tuyến toàn trình', value: online.rateForFullOnline },
        ],
      },
      {
        heading: 'Giải quyết hồ sơ',
        rows: [
          { label: 'Tổng số hồ sơ đã giải quyết', value: resolved.total },
          { label: 'Giải quyết trước hạn', value: resolved.early },
          { label: 'Giải quyết đúng hạn', value: resolved.onTime },
          { label: 'Giải quyết quá hạn', value: resolved.late },
          { label: 'Quá hạn có văn bản xin lỗi', value: resolved.lateWithApology },
          { label: 'Tỷ lệ giải quyết trước hạn và đúng hạn', value: resolved.onTimeRate },
        ],
      },
      {
        heading: 'Trả kết quả và kết thúc khác',
        rows: [
          { label: 'Đã trả kết quả', value: outcomes.returned },
          { label: 'Từ chối giải quyết', value: outcomes.rejected },
          { label: 'Công dân rút hồ sơ', value: outcomes.withdrawn },
          { label: 'Dừng giải quyết', value: outcomes.stopped },
          { label: 'Văn bản xin lỗi đã phát hành', value: outcomes.apologies },
        ],
      },
      {
        heading: 'Số hóa hồ sơ',
        rows: [{ label: 'Tỷ lệ hồ sơ được số hóa đủ thành phần bắt buộc', value: view.digitisation }],
      },
      {
        heading: 'Phí, lệ phí',
        rows: [
          { label: 'Hồ sơ phải nộp phí, lệ phí', value: fees.feeBearing },
          { label: 'Hồ sơ đã nộp phí, lệ phí', value: fees.paid },
          { label: 'Hồ sơ nộp phí trực tuyến', value: fees.paidOnline },
          { label: 'Tỷ lệ thanh toán trực tuyến', value: fees.onlinePaymentRate },
          { label: 'Số tiền nộp trực tuyến', value: fees.paidOnlineVnd, unit: 'vnd' },
        ],
      },
    ],
    series,
  };
}
