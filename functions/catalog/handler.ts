import { wardConfig } from '../../shared/config/current-ward.ts';
import { filterCatalog } from '../../shared/domain/catalog.ts';
import { NotFound } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';

const cache = { 'cache-control': 'public, max-age=300' };

export const handler = httpFunction('catalog', {
  'GET /procedures': async ({ query }) => {
    const { catalog } = wardConfig();
    const procedures = filterCatalog(catalog.procedures, query);
    const fields = new Map<string, { code: string; name: string; procedures: number }>();
    for (const p of catalog.procedures) {
      const field = fields.get(p.field.code) ?? { ...p.field, procedures: 0 };
      field.procedures += 1;
      fields.set(p.field.code, field);
    }
    return { status: 200, body: { sample: catalog.sample, fields: [...fields.values()], procedures }, headers: cache };
  },
  'GET /procedures/{code}': async ({ params }) => {
    const procedure = wardConfig().catalog.procedures.find((p) => p.code === params.code);
    if (!procedure) throw new NotFound('procedure_not_found', { code: params.code });
    return { status: 200, body: procedure, headers: cache };
  },
});
