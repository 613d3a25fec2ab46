import { dayCounters } from '../../shared/adapters/report-store.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { figuresOf, sumCounters } from '../../shared/domain/figures.ts';
import { reportCsv } from '../../shared/domain/report-csv.ts';
import { monthlySeries } from '../../shared/domain/report-document.ts';
import { reportHtml } from '../../shared/domain/report-html.ts';
import { index766 } from '../../shared/domain/index766.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { reportDocument, scopeInWords } from './document.ts';

export const handler = httpFunction('reports', {
  'GET /reports': async ({ query, mediaType }) => {
    const ward = wardConfig();
    const scope = query.procedure ? `procedure#${query.procedure}` : query.field ? `field#${query.field}` : 'ward';
    const days = await dayCounters(scope, query.from, query.to);
    const counters = sumCounters(days);
    const view = {
      ward: { name: ward.name, unitCode: ward.unitCode },
      period: { from: query.from, to: query.to },
      scope,
      ...figuresOf(counters),
      index766: index766(counters),
    };
    const headers = { 'cache-control': 'no-store' };
    if (mediaType === 'application/json') return { status: 200, body: view, headers };
    // The same figures for a leader to hand on, with the monthly series the chart and the CSV add.
    // Printed in Vietnamese whatever the Accept-Language: the header must not say otherwise.
    const printed = { ...headers, 'content-language': 'vi' };
    const document = reportDocument(view, scopeInWords(query, ward.catalog.procedures), monthlySeries(query, days));
    if (mediaType === 'text/csv') {
      const file = `bao-cao-${ward.unitCode}-${query.from}-${query.to}.csv`.replace(/[^\w.-]/g, '_');
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
