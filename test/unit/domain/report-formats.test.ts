import { describe, expect, it } from 'vitest';
import { reportDocument, scopeInWords } from '../../../functions/reports/document.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { figuresOf, sumCounters } from '../../../shared/domain/figures.ts';
import { counterNames } from '../../../shared/domain/report.ts';
import { CSV_HEADINGS, reportCsv } from '../../../shared/domain/report-csv.ts';
import { monthlySeries, monthsOf, type ReportDocument } from '../../../shared/domain/report-document.ts';
import { escapeHtml, reportHtml, vietnameseNumber } from '../../../shared/domain/report-html.ts';

const report = (overrides: Partial<ReportDocument> = {}): ReportDocument => ({
  ward: { name: 'Ủy ban nhân dân phường Phước Hòa', unitCode: '000.00.00.H99' },
  period: { from: '2025-07-01', to: '2025-09-30' },
  scope: 'Toàn đơn vị',
  sections: [
    {
      heading: 'Tiếp nhận hồ sơ',
      rows: [
        { label: 'Tổng số hồ sơ tiếp nhận', value: 2024 },
        { label: 'Tiếp nhận trực tuyến', value: 614 },
      ],
    },
    {
      heading: 'Dịch vụ công trực tuyến',
      rows: [
        { label: 'Tỷ lệ trực tuyến', value: { numerator: 614, denominator: 865, percent: '70.98%' } },
        { label: 'Tỷ lệ chưa có mẫu số', value: { numerator: 0, denominator: 0, percent: null } },
      ],
    },
    { heading: 'Phí, lệ phí', rows: [{ label: 'Số tiền nộp trực tuyến', value: 27_367_024, unit: 'vnd' }] },
  ],
  series: [
    { month: '2025-07', received: { online: 3, inPerson: 2, postal: 1 }, resolved: 4 },
    { month: '2025-08', received: { online: 0, inPerson: 0, postal: 0 }, resolved: 0 },
    { month: '2025-09', received: { online: 10, inPerson: 0, postal: 0 }, resolved: 7 },
  ],
  ...overrides,
});

/** An RFC 4180 reader, written apart from the writer: records of fields, quotes undone; throws on a stray quote. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') break;
        else field += text[i++];
      }
      i++;
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`text after a closing quote at ${i}`);
    } else if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      [field, record] = ['', []];
      i += 2;
    } else if (text[i] === '"' || text[i] === '\n' || text[i] === '\r') {
      throw new Error(`a quote, CR or LF in an unquoted field at ${i}`);
    } else field += text[i++];
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}

describe('the CSV report', () => {
  it('starts with a UTF-8 byte order mark and ends every record with CRLF, so Excel keeps the Vietnamese', () => {
    const csv = reportCsv(report());
    expect([...Buffer.from(csv, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('has Vietnamese column headings and one record per figure and per month, all as wide as the headings', () => {
    const records = readCsv(reportCsv(report()).slice(1));
    expect(records[0]).toEqual([...CSV_HEADINGS]);
    expect(records[0]).toContain('Chỉ tiêu');
    expect(records).toHaveLength(1 + 5 + 3 * 4);
    for (const record of records) expect(record).toHaveLength(CSV_HEADINGS.length);
    const lead = ['Ủy ban nhân dân phường Phước Hòa', '000.00.00.H99', '2025-07-01', '2025-09-30', 'Toàn đơn vị'];
    expect(records[1]).toEqual([...lead, 'Tiếp nhận hồ sơ', 'Tổng số hồ sơ tiếp nhận', '2024', '', '', '']);
    expect(records[3]).toEqual([...lead, 'Dịch vụ công trực tuyến', 'Tỷ lệ trực tuyến', '', '614', '865', '70.98%']);
    expect(records[4]!.slice(7)).toEqual(['', '0', '0', '']);
    expect(records[5]!.slice(6, 8)).toEqual(['Số tiền nộp trực tuyến (đồng)', '27367024']);
    expect(records[6]!.slice(5, 8)).toEqual(['Tháng 07/2025', 'Tiếp nhận trực tuyến', '3']);
    expect(records.at(-1)!.slice(5, 8)).toEqual(['Tháng 09/2025', 'Đã giải quyết', '7']);
  });

  it('quotes a value with a comma, a quote and a line break, and reads back exactly', () => {
    const name = 'Phường "Mẫu", quận 1\r\nHà Nội';
    const csv = reportCsv(report({ ward: { name, unitCode: '000.00.00.H99' } }));
    expect(csv).toContain('"Phường ""Mẫu"", quận 1\r\nHà Nội"');
    const records = readCsv(csv.slice(1));
    expect(records[1]![0]).toBe(name);
  });

  it('keeps a cell a spreadsheet would run as a formula inert', () => {
    const records = readCsv(reportCsv(report({ scope: '=HYPERLINK("http://x.example","bấm")' })).slice(1));
    expect(records[1]![4]).toBe('\'=HYPERLINK("http://x.example","bấm")');
    expect(readCsv(reportCsv(report({ scope: '@SUM(A1)' })).slice(1))[1]![4]).toBe("'@SUM(A1)");
  });
});

describe('the printable report', () => {
  it('is an A4 page in Vietnamese with the ward, the period and the figures', () => {
    const page = reportHtml(report());
    expect(page).toMatch(/^<!doctype html>\n<html lang="vi">/);
    expect(page).toMatch(/@page \{ size: A4;/);
    expect(page).toContain('Ủy ban nhân dân phường Phước Hòa');
    expect(page).toContain('Từ ngày 01/07/2025 đến ngày 30/09/2025');
    expect(page).toMatch(/<td>Tổng số hồ sơ tiếp nhận<\/td><td class="n">2\.024<\/td>/);
    expect(page).toMatch(/<td>Tỷ lệ trực tuyến<\/td><td class="n">614\/865<\/td><td class="n">70,98%<\/td>/);
    expect(page).toContain('27.367.024 đồng');
  });

  it('escapes every text it prints, in elements, attributes and the chart', () => {
    const hostile = '<script>alert("x")</script> & \'y\'';
    const page = reportHtml(
      report({
        ward: { name: hostile, unitCode: '"><img src=x onerror=alert(1)>' },
        scope: hostile,
        sections: [{ heading: hostile, rows: [{ label: hostile, value: 1 }] }],
      }),
    );
    expect(page).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;';
    // Title, unit, scope, section heading and row label.
    expect(page.split(escaped)).toHaveLength(6);
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml('a&b<c>d"e\'f')).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f');
  });

  it('loads nothing from outside and runs nothing: no script, no link, no URL but the SVG namespace', () => {
    const page = reportHtml(report());
    expect(page).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(|\bsrc=|\bhref=|\bon\w+=/i);
    expect(page.match(/https?:\/\/[^\s"]+/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('draws received by channel and resolved for each month as inline SVG, bars in proportion', () => {
    const page = reportHtml(report());
    const svg = page.slice(page.indexOf('<svg'), page.indexOf('</svg>'));
    const bar = (title: string) => {
      const found = new RegExp(`<rect [^>]*height="([\\d.]+)"[^>]*><title>${title}</title>`).exec(svg);
      return found ? Number(found[1]) : undefined;
    };
    expect(bar('07/2025: Tiếp nhận trực tuyến 3')).toBeGreaterThan(0);
    expect(bar('07/2025: Tiếp nhận trực tiếp 2')).toBeGreaterThan(0);
    expect(bar('07/2025: Tiếp nhận qua bưu chính công ích 1')).toBeGreaterThan(0);
    expect(bar('09/2025: Đã giải quyết 7')! / bar('09/2025: Tiếp nhận trực tuyến 10')!).toBeCloseTo(0.7, 2);
    expect(bar('07/2025: Tiếp nhận trực tuyến 3')! / bar('09/2025: Tiếp nhận trực tuyến 10')!).toBeCloseTo(0.3, 2);
    // An empty month has its label and no bar.
    expect(svg).toContain('>08/2025</text>');
    expect(bar('08/2025: [^<]*')).toBeUndefined();
  });
});

describe('the monthly series', () => {
  it('sums the day counters of each month the period touches, empty months included', () => {
    const days = [
      { date: '2025-11-30', received_online: 2, received_in_person: 1, resolved_early: 1 },
      { date: '2025-12-01', received_postal: 1, resolved_on_time: 2, resolved_late: 1 },
      { date: '2025-12-31', received_online: 1 },
      { date: '2026-02-01', received_in_person: 4 },
      // Not of the period's months: left out.
      { date: '2026-03-01', received_online: 100 },
      { received_online: 100 },
    ];
    expect(monthlySeries({ from: '2025-11-15', to: '2026-02-01' }, days)).toEqual([
      { month: '2025-11', received: { online: 2, inPerson: 1, postal: 0 }, resolved: 1 },
      { month: '2025-12', received: { online: 1, inPerson: 0, postal: 1 }, resolved: 3 },
      { month: '2026-01', received: { online: 0, inPerson: 0, postal: 0 }, resolved: 0 },
      { month: '2026-02', received: { online: 0, inPerson: 4, postal: 0 }, resolved: 0 },
    ]);
  });

  it('has at most 13 months for the longest period', () => {
    expect(monthsOf('2024-01-15', '2025-01-14')).toHaveLength(13);
    expect(monthsOf('2025-03-01', '2025-03-31')).toEqual(['2025-03']);
  });

  it('writes numbers as Vietnamese does', () => {
    expect(vietnameseNumber(27_367_024)).toBe('27.367.024');
    expect(vietnameseNumber(999)).toBe('999');
    expect(vietnameseNumber(0)).toBe('0');
  });
});

describe('the report document of the JSON view', () => {
  const procedures = readWardFile('sample').catalog.procedures;

  it('names the scope in words, from the catalog where it knows the code', () => {
    const birth = procedures.find((p) => p.code === '1.001193')!;
    expect(scopeInWords({}, procedures)).toBe('Toàn đơn vị');
    expect(scopeInWords({ procedure: '1.001193' }, procedures)).toBe(`Thủ tục 1.001193: ${birth.name}`);
    expect(scopeInWords({ field: birth.field.code }, procedures)).toBe(
      `Lĩnh vực ${birth.field.name} (${birth.field.code})`,
    );
    expect(scopeInWords({ procedure: '9.999999' }, procedures)).toBe('Thủ tục 9.999999');
  });

  it('prints every figure of the view, each once', () => {
    const view = {
      ward: { name: 'Phường Mẫu', unitCode: '000.00.00.H99' },
      period: { from: '2025-07-01', to: '2025-09-30' },
      scope: 'ward',
      figures: figuresOf({
        before: sumCounters([]),
        through: sumCounters([Object.fromEntries(counterNames.map((name, i) => [name, 1000 + i]))]),
        lastDay: sumCounters([]),
      }),
    };
    const printed = reportDocument(view as Parameters<typeof reportDocument>[0], 'Toàn đơn vị', [])
      .sections.flatMap((s) => s.rows)
      .map((row) => JSON.stringify(row.value));
    // Every count and rate of the view, found by walking it: a figure the adapter forgets fails here.
    const figures: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === 'number') figures.push(JSON.stringify(value));
      else if (value && typeof value === 'object' && 'percent' in value) figures.push(JSON.stringify(value));
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(view.figures);
    expect(printed.sort()).toEqual(figures.sort());
  });
});
