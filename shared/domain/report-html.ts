import {
  isRate,
  type ReportDocument,
  type ReportMonth,
  type ReportRow,
  SERIES_LABELS,
  vietnameseDate,
  vietnameseMonth,
} from './report-document.ts';

/** Markup already escaped: the only thing `html` inserts as it is. */
class Markup {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Text made safe for an element's content and for a quoted attribute value alike. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const insert = (value: unknown): string =>
  value instanceof Markup ? value.text : Array.isArray(value) ? value.map(insert).join('') : escapeHtml(String(value));

/** A template whose every value is escaped unless it is markup built by this same template: escaping by default. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return new Markup(strings.reduce((out, string, i) => out + insert(values[i - 1]) + string));
}

/** 3718 → "3.718": Vietnamese groups thousands with a dot. */
export function vietnameseNumber(value: number): string {
  const [whole, fraction] = String(Math.abs(value)).split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${value < 0 ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

/** "70.98%" → "70,98%": and a decimal comma. */
const vietnamesePercent = (percent: string | null) => (percent === null ? '—' : percent.replace('.', ','));

/** Distinct hues that print well; the printing test finds each on the screenshot. */
export const CHART_COLOURS = {
  online: '#1d4ed8',
  inPerson: '#0f766e',
  postal: '#c2410c',
  resolved: '#7e22ce',
} as const;

/** A step of 1, 2 or 5 times a power of ten, giving at most about five gridlines up to `max`. */
function axisStep(max: number): number {
  const raw = Math.max(1, max / 5);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw) ?? 10 * magnitude;
}

const receivedOf = (month: ReportMonth) => month.received.online + month.received.inPerson + month.received.postal;

/**
 * Received (stacked by channel) and resolved, side by side for each month: inline SVG, so the page needs no
 * script and no file besides itself.
 */
export function seriesChart(series: readonly ReportMonth[]): Markup {
  const [width, height] = [680, 270];
  const plot = { left: 48, right: width - 8, top: 34, bottom: height - 30 };
  const peak = Math.max(0, ...series.map((m) => Math.max(receivedOf(m), m.resolved)));
  const step = axisStep(peak);
  const top = step * Math.max(1, Math.ceil(peak / step));
  const y = (value: number) => plot.bottom - ((plot.bottom - plot.top) * value) / top;
  const group = (plot.right - plot.left) / Math.max(1, series.length);
  const bar = Math.min(30, group * 0.32);
  const gridlines = Array.from({ length: top / step + 1 }, (_, i) => i * step).map(
    (value) =>
      html`<line x1="${plot.left}" x2="${plot.right}" y1="${y(value)}" y2="${y(value)}" class="grid"/><text x="${plot.left - 6}" y="${y(value) + 4}" text-anchor="end">${vietnameseNumber(value)}</text>`,
  );
  const rect = (x: number, from: number, to: number, colour: string, title: string) =>
    to > from
      ? html`<rect x="${x.toFixed(1)}" y="${y(to).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(from) - y(to)).toFixed(1)}" fill="${colour}"><title>${title}</title></rect>`
      : html``;
  const months = series.map((month, i) => {
    const centre = plot.left + group * (i + 0.5);
    const [receivedX, resolvedX] = [centre - bar - 2, centre + 2];
    const { online, inPerson, postal } = month.received;
    const label = vietnameseMonth(month.month);
    return html`<g>
${rect(receivedX, 0, online, CHART_COLOURS.online, `${label}: ${SERIES_LABELS.online} ${vietnameseNumber(online)}`)}
${rect(receivedX, online, online + inPerson, CHART_COLOURS.inPerson, `${label}: ${SERIES_LABELS.inPerson} ${vietnameseNumber(inPerson)}`)}
${rect(receivedX, online + inPerson, online + inPerson + postal, CHART_COLOURS.postal, `${label}: ${SERIES_LABELS.postal} ${vietnameseNumber(postal)}`)}
${rect(resolvedX, 0, month.resolved, CHART_COLOURS.resolved, `${label}: ${SERIES_LABELS.resolved} ${vietnameseNumber(month.resolved)}`)}
<text x="${(receivedX + bar / 2).toFixed(1)}" y="${(y(receivedOf(month)) - 3).toFixed(1)}" text-anchor="middle">${vietnameseNumber(receivedOf(month))}</text>
<text x="${(resolvedX + bar / 2).toFixed(1)}" y="${(y(month.resolved) - 3).toFixed(1)}" text-anchor="middle">${vietnameseNumber(month.resolved)}</text>
<text x="${centre.toFixed(1)}" y="${plot.bottom + 16}" text-anchor="middle">${label}</text>
</g>`;
  });
  // Short names beside the caption, which says they are channels of receipt; placed by their length.
  const names = {
    online: 'Trực tuyến',
    inPerson: 'Trực tiếp',
    postal: 'Bưu chính công ích',
    resolved: 'Đã giải quyết',
  };
  let x = plot.left;
  const legend = (['online', 'inPerson', 'postal', 'resolved'] as const).map((key) => {
    const item = html`<rect x="${x}" y="6" width="12" height="12" fill="${CHART_COLOURS[key]}"/><text x="${x + 17}" y="16">${names[key]}</text>`;
    x += 17 + names[key].length * 7 + 24;
    return item;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title">
<title id="chart-title">Hồ sơ tiếp nhận theo kênh và hồ sơ đã giải quyết, theo tháng</title>
${gridlines}
<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" class="axis"/>
${legend}
${months}
</svg>`;
}

const figureCells = (row: ReportRow) =>
  isRate(row.value)
    ? html`<td class="n">${vietnameseNumber(row.value.numerator)}/${vietnameseNumber(row.value.denominator)}</td><td class="n">${vietnamesePercent(row.value.percent)}</td>`
    : html`<td class="n">${vietnameseNumber(row.value)}${row.unit === 'vnd' ? ' đồng' : ''}</td><td class="n"></td>`;

const STYLE = `
@page { size: A4; margin: 15mm 15mm 18mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt; color: #111; }
body { margin: 0; }
@media screen { body { max-width: 210mm; margin: 0 auto; padding: 15mm; } }
header { display: flex; justify-content: space-between; gap: 8mm; text-align: center; }
header p { margin: 0; }
.unit { font-weight: bold; }
.motto { font-weight: bold; }
h1 { font-size: 13pt; text-align: center; margin: 8mm 0 2mm; text-transform: uppercase; }
.period, .scope { text-align: center; margin: 0 0 1mm; }
table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
th, td { border: 0.5pt solid #777; padding: 1mm 2mm; text-align: left; vertical-align: top; }
th.section { background: #eef2f7; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
figure { margin: 4mm 0 0; break-inside: avoid; }
table.months { break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: 2mm; }
svg { width: 100%; height: auto; font-size: 11px; }
svg .grid { stroke: #ddd; stroke-width: 1; }
svg .axis { stroke: #333; stroke-width: 1; }
footer { margin-top: 4mm; font-size: 8pt; color: #444; }
`;

/**
 * The printable report: A4 pages in Vietnamese with the ward, the period, the monthly chart first (what a reader
 * takes in at a glance, on the first page), then the figures as a table and the chart's numbers. One file with nothing outside it: no script, no external style, image or font, and a Content
 * Security Policy that would block them anyway, so a saved copy prints the same anywhere.
 */
export function reportHtml(report: ReportDocument): string {
  const period = `Từ ngày ${vietnameseDate(report.period.from)} đến ngày ${vietnameseDate(report.period.to)}`;
  const sections = report.sections.map(
    (section) => html`<tbody>
<tr><th class="section" colspan="3">${section.heading}</th></tr>
${section.rows.map((row) => html`<tr><td>${row.label}</td>${figureCells(row)}</tr>\n`)}</tbody>`,
  );
  const monthly = report.series.map(
    (m) =>
      html`<tr><td>${vietnameseMonth(m.month)}</td><td class="n">${vietnameseNumber(m.received.online)}</td><td class="n">${vietnameseNumber(m.received.inPerson)}</td><td class="n">${vietnameseNumber(m.received.postal)}</td><td class="n">${vietnameseNumber(m.resolved)}</td></tr>\n`,
  );
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Báo cáo ${report.ward.name}: ${period}</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<header>
<div><p class="unit">${report.ward.name}</p><p>Mã đơn vị: ${report.ward.unitCode}</p></div>
<div><p class="motto">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p><p>Độc lập - Tự do - Hạnh phúc</p></div>
</header>
<h1>Báo cáo tình hình tiếp nhận và giải quyết hồ sơ thủ tục hành chính</h1>
<p class="period">${period}</p>
<p class="scope">Phạm vi: ${report.scope}</p>
<figure>
<figcaption>Hồ sơ tiếp nhận theo kênh (trực tuyến, trực tiếp, bưu chính công ích) và hồ sơ đã giải quyết, theo tháng</figcaption>
${seriesChart(report.series)}
</figure>
<table>
<thead><tr><th>Chỉ tiêu</th><th class="n">Số liệu</th><th class="n">Tỷ lệ</th></tr></thead>
${sections}
</table>
<table class="months">
<thead><tr><th>Tháng</th><th class="n">${SERIES_LABELS.online}</th><th class="n">${SERIES_LABELS.inPerson}</th><th class="n">${SERIES_LABELS.postal}</th><th class="n">${SERIES_LABELS.resolved}</th></tr></thead>
<tbody>
${monthly}</tbody>
</table>
<footer>Mỗi sự kiện được tính vào ngày nó xảy ra, theo múi giờ của đơn vị. Tỷ lệ là phân số chính xác, làm tròn đến hai chữ số thập phân.</footer>
</body>
</html>
`.text;
}
