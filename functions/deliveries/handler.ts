import {
  type Delivery,
  getDelivery,
  listDeliveries,
  retryDelivery,
  retryFailedOfPortal,
} from '../../shared/adapters/delivery-store.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { deliveryId, parseDeliveryId } from '../../shared/domain/delivery.ts';
import { Conflict, NotFound } from '../../shared/domain/errors.ts';
import { decodeCursor, encodeCursor } from '../../shared/http/cursor.ts';
import { httpFunction } from '../../shared/http/handler.ts';

/** A delivery as staff see it: never the body (it is what the portal got, and the dossier says it better). */
function viewOf(delivery: Delivery) {
  return {
    id: deliveryId(delivery.code, delivery.version),
    code: delivery.code,
    version: delivery.version,
    portalId: delivery.portalId,
    status: delivery.status,
    state: delivery.state,
    attempts: delivery.attempts,
    createdAt: delivery.createdAt,
    ...(delivery.nextAttemptAt ? { nextAttemptAt: delivery.nextAttemptAt } : {}),
    ...(delivery.lastAttemptAt ? { lastAttemptAt: delivery.lastAttemptAt } : {}),
    ...(delivery.lastError ? { lastError: delivery.lastError } : {}),
    ...(delivery.failedAt ? { failedAt: delivery.failedAt } : {}),
  };
}

export const handler = httpFunction('deliveries', {
  'GET /deliveries': async ({ query }) => {
    // The cursor is bound to the filters it was issued for, and sealed: a page key nobody can make up.
    const fingerprint = `deliveries ${query.status} ${query.portal ?? ''}`;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, fingerprint);
    const page = await listDeliveries(query.status, query.limit, { portalId: query.portal, after });
    return {
      status: 200,
      body: {
        items: page.items.map(viewOf),
        ...(page.next ? { cursor: encodeCursor(page.next, fingerprint) } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
  'POST /deliveries/{id}/retry': async ({ params, receivedAt }) => {
    const { code, version } = parseDeliveryId(params.id)!;
    const delivery = await getDelivery(code, version);
    if (!delivery) throw new NotFound('delivery_not_found', { id: params.id });
    if (!(await retryDelivery(code, version, new Date(receivedAt).toISOString())))
      throw new Conflict('delivery_not_failed', { id: params.id, state: delivery.state }, { state: delivery.state });
    return { status: 200, body: { retried: 1 } };
  },
  'POST /portals/{portal}/deliveries/retry': async ({ params, receivedAt }) => {
    if (!wardConfig().portals.some((p) => p.id === params.portal && p.statusWebhookUrl))
      throw new NotFound('portal_not_found', { portal: params.portal });
    return {
      status: 200,
      body: { retried: await retryFailedOfPortal(params.portal, new Date(receivedAt).toISOString()) },
    };
  },
});
