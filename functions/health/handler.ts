import { wardConfig } from '../../shared/config/ward.ts';
import { httpFunction } from '../../shared/http/handler.ts';

export const handler = httpFunction('health', {
  'GET /health': async ({ receivedAt }) => {
    const ward = wardConfig();
    return {
      status: 200,
      body: { status: 'ok', ward: { id: ward.id, unitCode: ward.unitCode, name: ward.name }, time: new Date(receivedAt).toISOString() },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
