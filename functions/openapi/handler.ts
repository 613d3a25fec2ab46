import { wardConfig } from '../../shared/config/current-ward.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';

let document: object | undefined;

export const handler = httpFunction('openapi', {
  'GET /openapi.json': async () => {
    document ??= await openApiDocument(wardConfig());
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
