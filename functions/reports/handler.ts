import { dayCounters } from '../../shared/adapters/report-store.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { figuresOf, sumCounters } from '../../shared/domain/figures.ts';
import { index766 } from '../../shared/domain/index766.ts';
import { httpFunction } from '../../shared/http/handler.ts';

export const handler = httpFunction('reports', {
  'GET /reports': async ({ query }) => {
    const ward = wardConfig();
    const scope = query.procedure ? `procedure#${query.procedure}` : query.field ? `field#${query.field}` : 'ward';
    const counters = sumCounters(await dayCounters(scope, query.from, query.to));
    const figures = figuresOf(counters);
    return {
      status: 200,
      body: {
        ward: { name: ward.name, unitCode: ward.unitCode },
        period: { from: query.from, to: query.to },
        scope,
        ...figures,
        index766: index766(counters),
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
