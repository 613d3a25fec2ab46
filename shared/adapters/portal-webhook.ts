import { env } from '../blueprint/resources.ts';
import { secretText } from '../security/secrets.ts';
import { parseWebhookSecrets, webhookHeaders } from '../security/webhook-signature.ts';

/**
 * How long one attempt may take: the portal's whole answer. Generous, because a portal that answers after we gave up
 * has the change but gets it again (our own timeout would make the duplicate); one slower than this is retried, and
 * drops the copy by its webhook-id. portal-sync's timeout is sized on it (functions/portal-sync/handler.ts).
 */
export const DELIVERY_TIMEOUT_MS = 20_000;

/** A portal's secrets are read again after this, so a rolled-over secret is used within minutes. */
const SECRET_CACHE_MS = 5 * 60_000;

const secretCache = new Map<string, { keys: Promise<Buffer[]>; until: number }>();

/** Where each portal's webhook secret is: the parameter's name in the stack, `file:<path>` locally. */
function secretReference(portalId: string): string {
  const references = JSON.parse(process.env[env.portalSecrets] ?? '{}') as Record<string, string>;
  const reference = references[portalId];
  if (!reference) throw new Error(`no webhook secret for portal ${portalId}: is it granted in the blueprint?`);
  return reference;
}

async function portalKeys(portalId: string): Promise<Buffer[]> {
  const reference = secretReference(portalId);
  const cacheKey = `${portalId} ${reference}`;
  const cached = secretCache.get(cacheKey);
  if (cached && cached.until > Date.now()) return cached.keys;
  const keys = secretText(reference).then(parseWebhookSecrets);
  secretCache.set(cacheKey, { keys, until: Date.now() + SECRET_CACHE_MS });
  keys.catch(() => secretCache.delete(cacheKey));
  return keys;
}

/**
 * Posts one delivery to the portal's webhook, signed with the portal's secrets (shared/security/webhook-signature.ts)
 * at the moment it is sent. `idempotency-key` (code#version) is kept for portals that dedupe on it already. Any
 * answer but a 2xx is an error.
 */
export async function postDelivery(
  webhookUrl: string,
  delivery: { id: string; portalId: string; code: string; version: number; body: string },
): Promise<void> {
  const keys = await portalKeys(delivery.portalId);
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `${delivery.code}#${delivery.version}`,
      'user-agent': 'motcua-portal-sync',
      ...webhookHeaders(delivery.id, delivery.body, keys, Date.now() / 1000),
    },
    body: delivery.body,
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  });
  // The body is read (and dropped) so the connection is freed.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`portal ${delivery.portalId} answered ${response.status}`);
}
