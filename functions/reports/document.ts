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
  const f = view.figures;
  return {
    ward: view.ward,
    period: view.period,
    scope,
    sections: [
      {
        heading: 'Tiếp nhận hồ sơ',
        rows: [
          { label: 'Kỳ trước chuyển sang', value: f.carriedOver },
          { label: 'Tổng số hồ sơ tiếp nhận', value: f.received },
          { label: 'Tiếp nhận trực tuyến', value: f.receivedOnline },
          { label: 'Tiếp nhận trực tiếp', value: f.receivedInPerson },
          { label: 'Tiếp nhận qua bưu chính công ích', value: f.receivedPostal },
          { label: 'Từ chối tiếp nhận', value: f.notAccepted },
        ],
      },
      {
        heading: 'Dịch vụ công trực tuyến',
        rows: [
          { label: 'Tỷ lệ hồ sơ trực tuyến trên tổng số hồ sơ tiếp nhận', value: f.onlineShare },
          { label: 'Tỷ lệ hồ sơ trực tuyến của thủ tục có dịch vụ trực tuyến', value: f.onlineRate },
          { label: 'Tỷ lệ hồ sơ trực tuyến của thủ tục trực tuyến toàn trình', value: f.fullOnlineRate },
        ],
      },
      {
        heading: 'Giải quyết hồ sơ',
        rows: [
          { label: 'Tổng số hồ sơ đã giải quyết', value: f.resolved },
          { label: 'Giải quyết trước hạn', value: f.early },
          { label: 'Giải quyết đúng hạn', value: f.onTime },
          { label: 'Giải quyết quá hạn', value: f.late },
          { label: 'Quá hạn có văn bản xin lỗi', value: f.lateWithApology },
          { label: 'Tỷ lệ giải quyết trước hạn và đúng hạn', value: f.onTimeRate },
          { label: 'Đang giải quyết trong hạn (cuối kỳ)', value: f.inProgressWithinDeadline },
          { label: 'Đang giải quyết quá hạn (cuối kỳ)', value: f.inProgressOverdue },
        ],
      },
      {
        heading: 'Trả kết quả và kết thúc khác',
        rows: [
          { label: 'Đã trả kết quả', value: f.returned },
          { label: 'Từ chối giải quyết', value: f.rejected },
          { label: 'Công dân rút hồ sơ', value: f.withdrawn },
          { label: 'Dừng giải quyết', value: f.stopped },
          { label: 'Văn bản xin lỗi đã phát hành', value: f.apologies },
        ],
      },
      {
        heading: 'Số hóa hồ sơ',
        rows: [
          { label: 'Tỷ lệ hồ sơ được số hóa đủ thành phần bắt buộc', value: f.digitisationRate },
          { label: 'Hồ sơ có kết quả điện tử', value: f.eResults },
          { label: 'Thành phần hồ sơ tái sử dụng', value: f.reused },
        ],
      },
      {
        heading: 'Phí, lệ phí',
        rows: [
          { label: 'Hồ sơ phải nộp phí, lệ phí', value: f.feeBearing },
          { label: 'Hồ sơ đã nộp phí, lệ phí', value: f.paid },
          { label: 'Hồ sơ nộp phí trực tuyến', value: f.paidOnline },
          { label: 'Tỷ lệ thanh toán trực tuyến', value: f.onlinePaymentRate },
          { label: 'Số tiền nộp trực tuyến', value: f.feesPaidOnlineVnd, unit: 'vnd' },
          { label: 'Tổng số tiền phí, lệ phí đã nộp', value: f.feesTotalVnd, unit: 'vnd' },
        ],
      },
      {
        heading: 'Mức độ hài lòng, phản ánh kiến nghị',
        rows: [
          { label: 'Tỷ lệ hài lòng', value: f.satisfactionRate },
          { label: 'Phản ánh, kiến nghị đã nhận', value: f.feedbackReceived },
          { label: 'Phản ánh, kiến nghị đã giải quyết', value: f.feedbackResolved },
          { label: 'Phản ánh, kiến nghị giải quyết đúng hạn', value: f.feedbackOnTime },
        ],
      },
    ],
    series,
  };
}
