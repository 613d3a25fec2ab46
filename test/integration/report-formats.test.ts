import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportDocument } from '../../functions/reports/document.ts';
import type { TokenRequest } from '../../local/issuer.ts';
import { isRate, type ReportRate } from '../../shared/domain/report-document.ts';
import { CHART_COLOURS } from '../../shared/domain/report-html.ts';
import { addDays, localDateOf } from '../../shared/domain/zoned-time.ts';
import { A4_PIXELS, decodePng, printPage } from '../support/browser.ts';
import { checkAnswer } from '../support/contract.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { seedDossier } from '../support/seed.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/**
 * The report in the formats a leader hands on. A ward receives dossiers over two months (three seeded on the 10th
 * of last month, in person and by post; three filed now, two of them online) and resolves one; its report is
 * fetched as JSON, CSV and HTML, and the HTML is rendered by a real browser to a screenshot and a PDF.
 */
let ward: TestWard;
let from: string;
let to: string;
let lastMonth: string;
let thisMonth: string;
let json: any;

const period = () => `from=${from}&to=${to}`;
const vietnameseDate = (date: string) => date.split('-').reverse().join('/');
const vietnameseMonth = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;
// Written apart from the renderer's own formatting: ICU's Vietnamese grouping.
const grouped = (n: number) => new Intl.NumberFormat('vi-VN').format(n);
const percentText = (rate: ReportRate) => (rate.percent === null ? '—' : rate.percent.replace('.', ','));

/** An answer's bytes as sent (fetch's text() would drop a byte order mark), its contract checked. */
async function fetchReport(accept: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${ward.api.url}/reports?${period()}`, {
    headers: { ...headers, accept, authorization: `Bearer ${await ward.api.token(leader)}` },
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get('content-type') ?? '';
  checkAnswer({
    method: 'GET',
    path: `/reports?${period()}`,
    status: response.status,
    contentType,
    body: /json/.test(contentType) ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8'),
  });
  return { status: response.status, headers: response.headers, bytes };
}

beforeAll(async () => {
  ward = await startTestWard();
  const today = localDateOf(Date.now(), ward.ward.timeZone);
  thisMonth = today.slice(0, 7);
  lastMonth = addDays(`${thisMonth}-01`, -1).slice(0, 7);
  from = `${lastMonth}-01`;
  // Tomorrow too, in case the file runs across midnight in Viet Nam.
  to = addDays(today, 1);
  const receivedAt = `${lastMonth}-10T03:00:00.000Z`;
  await seedDossier(ward, maritalStatus(), { receivedAt, sequence: 1 });
  await seedDossier(ward, maritalStatus(), { receivedAt, sequence: 2 });
  await seedDossier(ward, maritalStatus({ channel: 'postal' }), { receivedAt, sequence: 3 });
  const act = async (code: string, body: Record<string, unknown>, as: TokenRequest) => {
    const etag = (await ward.api.get(`/dossiers/${code}`, { as: officer })).headers.get('etag')!;
    const acted = await ward.api.post(`/dossiers/${code}/actions`, body, { as, headers: { 'if-match': etag } });
    expect(acted.status, JSON.stringify(acted.body)).toBe(200);
  };
  const file = async (body: Record<string, unknown>, as: TokenRequest) => {
    const filed = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    return filed.body.code as string;
  };
  // Online: filed by the portal, accepted by the one-stop officer.
  for (const online of [await file(birthRegistration(), portal), await file(birthRegistration(), portal)])
    await act(online, { action: 'accept' }, officer);
  // In person, and resolved now.
  const counter = await file(maritalStatus(), officer);
  await act(counter, { action: 'assign', assignee: 'specialist.42' }, leader);
  await act(counter, { action: 'submit_for_approval' }, { role: 'specialist', username: 'specialist.42' });
  await act(counter, { action: 'approve' }, leader);
  await ward.settle();
  const answer = await ward.api.get(`/reports?${period()}`, { as: leader });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  json = answer.body;
  expect(json.figures).toMatchObject({ received: 6, receivedOnline: 2, receivedInPerson: 3, receivedPostal: 1 });
  expect(json.figures.resolved).toBe(1);
});
afterAll(async () => {
  await ward?.stop();
});

describe('the report’s formats', () => {
  it('is JSON without an Accept header or with */*, and says that it varies by Accept', async () => {
    const plain = await ward.api.get(`/reports?${period()}`, { as: leader, headers: { accept: '*/*' } });
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(plain.headers.get('vary')).toBe('accept');
    expect(plain.body).toEqual(json);
  });

  it('is a CSV with Accept: text/csv: a byte order mark, CRLF, Vietnamese headings and the same figures', async () => {
    const csv = await fetchReport('text/csv', { 'accept-language': 'en' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    // Vietnamese whatever language the caller's errors come in.
    expect(csv.headers.get('content-language')).toBe('vi');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="bao-cao-[\w.-]+\.csv"$/);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(
      '"Đơn vị","Mã đơn vị","Từ ngày","Đến ngày","Phạm vi","Nhóm chỉ tiêu","Chỉ tiêu","Số liệu","Tử số","Mẫu số","Tỷ lệ"',
    );
    const lead = `"${ward.ward.name}","${ward.ward.unitCode}","${from}","${to}","Toàn đơn vị"`;
    expect(lines).toContain(`${lead},"Tiếp nhận hồ sơ","Tổng số hồ sơ tiếp nhận",6,,,`);
    expect(lines).toContain(`${lead},"Tiếp nhận hồ sơ","Tiếp nhận qua bưu chính công ích",1,,,`);
    const onTime = json.figures.onTimeRate;
    expect(lines).toContain(
      `${lead},"Giải quyết hồ sơ","Tỷ lệ giải quyết trước hạn và đúng hạn",,${onTime.numerator},${onTime.denominator},"${onTime.percent}"`,
    );
    expect(lines).toContain(`${lead},"Tháng ${vietnameseMonth(lastMonth)}","Tiếp nhận trực tiếp",2,,,`);
    expect(lines).toContain(`${lead},"Tháng ${vietnameseMonth(thisMonth)}","Tiếp nhận trực tuyến",2,,,`);
  });

  it('is a 406 problem for an Accept it cannot give, naming what it can, in Vietnamese or English', async () => {
    const refused = await ward.api.get(`/reports?${period()}`, { as: leader, headers: { accept: 'application/pdf' } });
    expect(refused.status).toBe(406);
    expect(refused.body).toMatchObject({
      type: 'urn:motcua:problem:not_acceptable',
      title: 'Không có định dạng trả lời phù hợp',
      available: ['application/json', 'text/csv', 'text/html'],
    });
    expect(refused.body.detail).toContain('application/json, text/csv, text/html');
    const english = await ward.api.get(`/reports?${period()}`, {
      as: leader,
      headers: { accept: 'text/csv;q=0, image/*', 'accept-language': 'en' },
    });
    expect(english.status).toBe(406);
    expect(english.body.title).toBe('Not acceptable');
  });
});

describe('the printable report, in a real browser', () => {
  it('prints to A4 with the ward, the period and every figure, and its first screen shows the chart', async () => {
    const page = await fetchReport('text/html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const printed = await printPage(page.bytes.toString('utf8'));

    // The PDF: A4, and its text holds the ward, the period and each figure of the JSON beside its label.
    expect(printed.pdfInfo).toMatch(/Page size:.*\(A4\)/);
    const text = printed.pdfText.replace(/[ \t]+/g, ' ');
    expect(text).toContain(ward.ward.name);
    expect(text).toContain(`Từ ngày ${vietnameseDate(from)} đến ngày ${vietnameseDate(to)}`);
    const document = reportDocument(json, 'Toàn đơn vị', []);
    let rows = 0;
    for (const row of document.sections.flatMap((s) => s.rows)) {
      const value = isRate(row.value)
        ? `${grouped(row.value.numerator)}/${grouped(row.value.denominator)} ${percentText(row.value)}`
        : `${grouped(row.value)}${row.unit === 'vnd' ? ' đồng' : ''}`;
      expect(text, row.label).toContain(`${row.label} ${value}\n`);
      rows++;
    }
    expect(rows).toBeGreaterThan(20);
    // The chart's numbers, month by month: online, in person, by post, resolved.
    expect(text).toContain(`${vietnameseMonth(lastMonth)} 0 2 1 0\n`);
    expect(text).toContain(`${vietnameseMonth(thisMonth)} 2 1 0 1\n`);

    // The screenshot: A4's proportions, not blank, and the chart's four colours drawn by the browser.
    const pixels = decodePng(printed.png);
    expect([pixels.width, pixels.height]).toEqual([A4_PIXELS.width, A4_PIXELS.height]);
    expect(pixels.height / pixels.width).toBeCloseTo(Math.SQRT2, 2);
    const counts = new Map<string, number>();
    let inked = 0;
    for (let y = 0; y < pixels.height; y++)
      for (let x = 0; x < pixels.width; x++) {
        const [r, g, b] = pixels.at(x, y);
        if (r + g + b < 600) inked++;
        const hex = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
        counts.set(hex, (counts.get(hex) ?? 0) + 1);
      }
    expect(inked / (pixels.width * pixels.height)).toBeGreaterThan(0.02);
    for (const [series, colour] of Object.entries(CHART_COLOURS))
      expect(counts.get(colour) ?? 0, `${series} (${colour})`).toBeGreaterThan(100);
  });
});
