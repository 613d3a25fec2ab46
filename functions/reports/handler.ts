import { dayCounters } from '../../shared/adapters/report-store.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { figuresOf, sumCounters } from '../../shared/domain/figures.ts';
import { httpFunction } from '../../shared/http/handler.ts';

export const handler = httpFunction('reports', {
  'GET /reports': async ({ query }) => {
    const ward = wardConfig();
    const scope = query.procedure ? `procedure#${query.procedure}` : query.field ? `field#${query.field}` : 'ward';
    const figures = figuresOf(sumCounters(await dayCounters(scope, query.from, query.to)));
    return {
      status: 200,
      body: {
        ward: { name: ward.name, unitCode: ward.unitCode },
        period: { from: query.from, to: query.to },
        scope,
        ...figures,
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
