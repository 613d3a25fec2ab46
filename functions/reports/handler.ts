import { dayCounters, periodSums } from '../../shared/adapters/report-store.ts';
import { MAX_REPORT_GROUPS, reportPeriod } from '../../shared/api/reports.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import { channels } from '../../shared/domain/dossier.ts';
import { Unprocessable } from '../../shared/domain/errors.ts';
import { figuresOf, minus } from '../../shared/domain/figures.ts';
import { index766 } from '../../shared/domain/index766.ts';
import { groupScope, type ReportGrouping } from '../../shared/domain/report.ts';
import { reportCsv } from '../../shared/domain/report-csv.ts';
import { monthlySeries } from '../../shared/domain/report-document.ts';
import { reportHtml } from '../../shared/domain/report-html.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { reportDocument, scopeInWords } from './document.ts';

/** Scopes read at once: each is four small queries. */
const CONCURRENT_SCOPES = 8;

const channelNames = { online: 'Trực tuyến', in_person: 'Trực tiếp', postal: 'Bưu chính công ích' } as const;

/**
 * The groups of a grouping, from the ward's configuration: the catalog's fields or procedures (of one field, when
 * the report is of a field), the channels, the staff directory's departments and dossiers held by none. Counters
 * of a procedure no longer in the catalog, or of a department no longer in the directory, stay in the totals.
 */
function groupsOf(ward: WardConfig, grouping: ReportGrouping, field: string | undefined) {
  const procedures = ward.catalog.procedures.filter((p) => field === undefined || p.field.code === field);
  const unique = <T>(rows: T[], key: (row: T) => string) => [...new Map(rows.map((r) => [key(r), r])).values()];
  const rows: { key: string; name: string }[] =
    grouping === 'procedure'
      ? procedures.map((p) => ({ key: p.code, name: p.name }))
      : grouping === 'field'
        ? unique(
            procedures.map((p) => ({ key: p.field.code, name: p.field.name })),
            (r) => r.key,
          )
        : grouping === 'channel'
          ? channels.map((c) => ({ key: c, name: channelNames[c] }))
          : [
              ...unique(
                ward.staff.map((m) => ({ key: m.department, name: m.department })),
                (r) => r.key,
              ),
              { key: '', name: 'Chưa giao phòng ban' },
            ];
  return rows.map((row) => ({ ...row, scope: groupScope(grouping, row.key) }));
}

/** `work` over `items`, at most `limit` at a time, in order. */
async function inTurn<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const handler = httpFunction('reports', {
  'GET /reports': async ({ query, mediaType }) => {
    const ward = wardConfig();
    const { from, to } = reportPeriod(query);
    const scope = query.procedure ? `procedure#${query.procedure}` : query.field ? `field#${query.field}` : 'ward';
    const groups = query.groupBy ? groupsOf(ward, query.groupBy, query.field) : [];
    if (groups.length > MAX_REPORT_GROUPS)
      throw new Unprocessable('report_too_many_groups', { groups: groups.length, max: MAX_REPORT_GROUPS });
    const [totals, rows] = await Promise.all([
      periodSums(scope, from, to),
      inTurn(groups, CONCURRENT_SCOPES, async ({ scope: groupScope, ...group }) => ({
        ...group,
        figures: figuresOf(await periodSums(groupScope, from, to)),
      })),
    ]);
    const view = {
      ward: { name: ward.name, unitCode: ward.unitCode },
      period: { from, to },
      scope,
      figures: figuresOf(totals),
      index766: index766(minus(totals.through, totals.before), ward.index766Targets),
      ...(query.groupBy ? { groupBy: query.groupBy, groups: rows } : {}),
    };
    const headers = { 'cache-control': 'no-store' };
    if (mediaType === 'application/json') return { status: 200, body: view, headers };
    // The same figures for a leader to hand on, with the monthly series the chart and the CSV add.
    // Printed in Vietnamese whatever the Accept-Language: the header must not say otherwise.
    const printed = { ...headers, 'content-language': 'vi' };
    const series = monthlySeries({ from, to }, await dayCounters(scope, from, to));
    const document = reportDocument(view, scopeInWords(query, ward.catalog.procedures), series);
    if (mediaType === 'text/csv') {
      const file = `bao-cao-${ward.unitCode}-${from}-${to}.csv`.replace(/[^\w.-]/g, '_');
      return {
        status: 200,
        text: { mediaType: 'text/csv; charset=utf-8; header=present', content: reportCsv(document) },
        headers: { ...printed, 'content-disposition': `attachment; filename="${file}"` },
      };
    }
    return {
      status: 200,
      text: { mediaType: 'text/html; charset=utf-8', content: reportHtml(document) },
      // The page carries the same policy in a meta element, so a saved copy keeps it.
      headers: { ...printed, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
    };
  },
});
