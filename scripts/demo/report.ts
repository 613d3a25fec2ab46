/**
 * The quarter's report as the demo shows and keeps it: GET /reports as JSON, printed as a table whatever its
 * figures are called (the printing walks the JSON: a rate is any `{ numerator, denominator, percent }`), and the
 * same report as CSV, HTML and a PDF of the HTML where the instance and the machine can make them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ReportRequest {
  url: string;
  token: string;
  /** `2026-Q3`, and the same period as dates for an instance that knows no `period`. */
  period: { label: string; from: string; to: string };
}

/** GET /reports?period=…, or from/to when the instance answers 400 to `period` (it has no such parameter yet). */
export async function fetchReport(
  request: ReportRequest,
): Promise<{ query: string; report: Record<string, unknown>; note?: string }> {
  const byPeriod = `period=${encodeURIComponent(request.period.label)}`;
  const byDates = `from=${request.period.from}&to=${request.period.to}`;
  const first = await get(request, `/reports?${byPeriod}`, 'application/json');
  if (first.status === 200) return { query: byPeriod, report: JSON.parse(first.text) };
  if (first.status !== 400) throw new Error(`GET /reports?${byPeriod}: ${first.status} ${first.text.slice(0, 300)}`);
  const second = await get(request, `/reports?${byDates}`, 'application/json');
  if (second.status !== 200) throw new Error(`GET /reports?${byDates}: ${second.status} ${second.text.slice(0, 300)}`);
  return {
    query: byDates,
    report: JSON.parse(second.text),
    note: `GET /reports?${byPeriod} answered 400 (no \`period\` parameter on this instance): asked with from/to`,
  };
}

async function get(request: ReportRequest, path: string, accept: string) {
  const response = await fetch(`${request.url}${path}`, {
    headers: { authorization: `Bearer ${request.token}`, accept },
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get('content-type') ?? '', bytes, text: bytes.toString() };
}

type Rate = { numerator: number; denominator: number; percent: string | number | null };
const isRate = (value: unknown): value is Rate =>
  typeof value === 'object' &&
  value !== null &&
  'numerator' in value &&
  'denominator' in value &&
  'percent' in value &&
  Object.keys(value).length === 3;

const shown = (value: unknown): string => {
  if (isRate(value)) {
    const percent = value.percent === null ? '—' : String(value.percent).replace(/%?$/, '%');
    return `${percent} (${value.numerator.toLocaleString('en-US')} / ${value.denominator.toLocaleString('en-US')})`;
  }
  if (typeof value === 'number') return value.toLocaleString('en-US');
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/**
 * The figures as rows of a table: nested objects give dotted names (`resolved.onTime`), a rate stays one row,
 * arrays of rows (a grouped report) give one row per item and figure, named by the item's first text field.
 */
export function reportRows(value: unknown, prefix = ''): { figure: string; value: string }[] {
  if (isRate(value) || typeof value !== 'object' || value === null) return [{ figure: prefix, value: shown(value) }];
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item !== 'object' || item === null))
      return [{ figure: prefix, value: value.map(shown).join(', ') }];
    return value.flatMap((item, i) => {
      const name = Object.values(item as object).find((v) => typeof v === 'string') ?? String(i);
      return reportRows(item, `${prefix}[${name}]`);
    });
  }
  return Object.entries(value).flatMap(([key, inner]) => reportRows(inner, prefix ? `${prefix}.${key}` : key));
}

/** Two aligned columns, for a terminal. */
export function table(rows: { figure: string; value: string }[]): string {
  const width = Math.max(6, ...rows.map((r) => r.figure.length));
  const line = `${'─'.repeat(width + 2)}┼${'─'.repeat(Math.max(8, ...rows.map((r) => r.value.length)) + 2)}`;
  return [
    ` ${'figure'.padEnd(width)} │ value`,
    line,
    ...rows.map((r) => ` ${r.figure.padEnd(width)} │ ${r.value}`),
  ].join('\n');
}

/** Where Debian, Ubuntu and Chrome put a headless-capable browser; CHROMIUM names another. */
export function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM,
    // Debian's headless build, which .ci/run installs, first.
    'chromium-headless-shell',
    'chromium',
    'chromium-browser',
    'google-chrome',
    'google-chrome-stable',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore', timeout: 10_000 });
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * Writes the report's JSON, CSV, HTML and PDF under `dir`; returns one line per format saying where, or why not.
 * The CSV and HTML come from the instance (Accept: text/csv, text/html); the PDF is headless Chromium's print of
 * the HTML.
 */
export async function writeFormats(
  request: ReportRequest & { query: string },
  report: unknown,
  dir: string,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `report-${request.period.label}`);
  const lines: string[] = [];
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  lines.push(`JSON  ${base}.json`);
  let html: string | undefined;
  for (const [format, type] of [
    ['CSV', 'text/csv'],
    ['HTML', 'text/html'],
  ] as const) {
    const answer = await get(request, `/reports?${request.query}`, type);
    const file = `${base}.${format.toLowerCase()}`;
    if (answer.status === 406)
      lines.push(`${format.padEnd(5)} not written: the instance answers 406 to Accept: ${type}`);
    else if (answer.status !== 200) lines.push(`${format.padEnd(5)} not written: ${answer.status} to Accept: ${type}`);
    else if (!answer.type.startsWith(type))
      lines.push(
        `${format.padEnd(5)} not written: asked for ${type}, the instance answered ${answer.type || 'no type'}`,
      );
    else {
      writeFileSync(file, answer.bytes);
      lines.push(`${format.padEnd(5)} ${file}`);
      if (format === 'HTML') html = file;
    }
  }
  if (!html) lines.push('PDF   not written: no HTML report to print');
  else {
    const chromium = findChromium();
    if (!chromium)
      lines.push(
        'PDF   not written: no Chromium found (apt-get install chromium-headless-shell, or set CHROMIUM to a Chrome or Chromium)',
      );
    else {
      const pdf = `${base}.pdf`;
      try {
        execFileSync(
          chromium,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--no-pdf-header-footer',
            `--print-to-pdf=${resolve(pdf)}`,
            `file://${resolve(html)}`,
          ],
          { stdio: 'ignore', timeout: 60_000 },
        );
        lines.push(existsSync(pdf) ? `PDF   ${pdf}` : `PDF   not written: ${chromium} printed nothing`);
      } catch (error) {
        lines.push(`PDF   not written: ${chromium} failed (${(error as Error).message.split('\n')[0]})`);
      }
    }
  }
  return lines;
}
