import { periodSums } from '../../shared/adapters/report-store.ts';
import { MAX_REPORT_GROUPS, reportPeriod } from '../../shared/api/reports.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import { channels } from '../../shared/domain/dossier.ts';
import { Unprocessable } from '../../shared/domain/errors.ts';
import { figuresOf } from '../../shared/domain/figures.ts';
import { groupScope, type ReportGrouping } from '../../shared/domain/report.ts';
import { httpFunction } from '../../shared/http/handler.ts';

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
  'GET /reports': async ({ query }) => {
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
    return {
      status: 200,
      body: {
        ward: { name: ward.name, unitCode: ward.unitCode },
        period: { from, to },
        scope,
        figures: figuresOf(totals),
        ...(query.groupBy ? { groupBy: query.groupBy, groups: rows } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
