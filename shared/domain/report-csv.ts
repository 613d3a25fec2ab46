import { isRate, type ReportDocument, SERIES_LABELS, vietnameseMonth } from './report-document.ts';

/** The column headings, in Vietnamese: a leader's spreadsheet shows them as they are. */
export const CSV_HEADINGS = [
  'Đơn vị',
  'Mã đơn vị',
  'Từ ngày',
  'Đến ngày',
  'Phạm vi',
  'Nhóm chỉ tiêu',
  'Chỉ tiêu',
  'Số liệu',
  'Tử số',
  'Mẫu số',
  'Tỷ lệ',
] as const;

/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark; without it Vietnamese comes out garbled. */
const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * A text cell, quoted as RFC 4180 has it (every text cell is quoted; a quote inside is doubled). A cell a
 * spreadsheet would take for a formula (=, +, -, @, a tab or a carriage return first) is prefixed with an
 * apostrophe, so a name cannot run as one (CSV injection).
 */
export function csvText(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${inert.replace(/"/g, '""')}"`;
}

const csvNumber = (value: number) => String(value);

/**
 * The report as CSV: one record per figure, each carrying the ward, the period and the scope, so the files of
 * several wards or periods stack into one sheet. Counts in "Số liệu"; a rate's numerator, denominator and
 * percentage in the last three columns; then each month of the chart. UTF-8 with a BOM, CRLF after every record.
 */
export function reportCsv(report: ReportDocument): string {
  const lead = [
    csvText(report.ward.name),
    csvText(report.ward.unitCode),
    csvText(report.period.from),
    csvText(report.period.to),
    csvText(report.scope),
  ];
  const records = [CSV_HEADINGS.map(csvText)];
  for (const section of report.sections)
    for (const row of section.rows) {
      const label = row.unit === 'vnd' ? `${row.label} (đồng)` : row.label;
      const figures = isRate(row.value)
        ? [
            '',
            csvNumber(row.value.numerator),
            csvNumber(row.value.denominator),
            row.value.percent === null ? '' : csvText(row.value.percent),
          ]
        : [csvNumber(row.value), '', '', ''];
      records.push([...lead, csvText(section.heading), csvText(label), ...figures]);
    }
  for (const month of report.series) {
    const heading = csvText(`Tháng ${vietnameseMonth(month.month)}`);
    const monthly: [string, number][] = [
      [SERIES_LABELS.online, month.received.online],
      [SERIES_LABELS.inPerson, month.received.inPerson],
      [SERIES_LABELS.postal, month.received.postal],
      [SERIES_LABELS.resolved, month.resolved],
    ];
    for (const [label, value] of monthly)
      records.push([...lead, heading, csvText(label), csvNumber(value), '', '', '']);
  }
  return BOM + records.map((record) => record.join(',') + CRLF).join('');
}
