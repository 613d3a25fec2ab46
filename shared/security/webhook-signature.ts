import { createHmac } from 'node:crypto';

/**
 * How a status change sent to a portal is signed: the Standard Webhooks scheme (standardwebhooks.com, v1), so a
 * portal can verify with that project's libraries or the few lines of WEBHOOK_VERIFICATION_EXAMPLE.
 * - `webhook-id`: the delivery's id (`<dossier code>~<version>`), the same on every attempt: the portal's key for
 *   dropping a change it already has.
 * - `webhook-timestamp`: Unix seconds when this attempt was signed; a portal refuses one too far from its clock
 *   (five minutes is the scheme's tolerance), so a recorded request cannot be played again later.
 * - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, once per secret: while a portal
 *   rolls its secret over the parameter holds two (the new one first), and either verifies.
 * Secrets are written `whsec_<base64 of the key bytes>`, as the scheme's libraries take them.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The least a portal's secret holds: 24 bytes (the generator writes 32). */
const MIN_SECRET_BYTES = 24;

/** A portal secret parameter's text: one or two secrets, whitespace apart. */
export function parseWebhookSecrets(text: string): Buffer[] {
  const secrets = text.split(/\s+/).filter((s) => s.length > 0);
  if (secrets.length < 1 || secrets.length > 2) throw new Error('a portal secret holds one or two secrets');
  return secrets.map((secret) => {
    if (!secret.startsWith(WEBHOOK_SECRET_PREFIX))
      throw new Error(`a portal secret starts with ${WEBHOOK_SECRET_PREFIX}`);
    const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
    if (key.length < MIN_SECRET_BYTES) throw new Error(`a portal secret holds at least ${MIN_SECRET_BYTES} bytes`);
    return key;
  });
}

/** The three headers of one attempt: `timestampSeconds` is when it is signed. */
export function webhookHeaders(
  id: string,
  body: string,
  keys: readonly Buffer[],
  timestampSeconds: number,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const timestamp = String(Math.floor(timestampSeconds));
  const signatures = keys.map(
    (key) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
  );
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

/**
 * What a portal runs to check a delivery (Node 18 or later, nothing to install): the OpenAPI document shows this
 * text, and the tests stand in for two portals with it, so the example is the code that is known to work.
 */
export const WEBHOOK_VERIFICATION_EXAMPLE = `import { createHmac, timingSafeEqual } from 'node:crypto';

const TOLERANCE_SECONDS = 5 * 60;

/**
 * Checks one delivery. headers: the request's headers (lower-case names); rawBody: the body exactly as received
 * (a string, before any JSON parsing); secrets: the portal's secrets ('whsec_...'), two while rolling one over.
 * Returns the event id to deduplicate on; throws if the delivery is forged, altered or too old (a replay).
 */
export function verifyDelivery(headers, rawBody, secrets, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new Error('missing webhook headers');
  if (!/^\\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS)
    throw new Error('timestamp outside the tolerance: a replay, or a clock far off');
  const signed = id + '.' + timestamp + '.' + rawBody;
  for (const secret of secrets) {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key).update(signed).digest();
    for (const entry of signatures.split(' ')) {
      const [version, value] = entry.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      if (version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)) return id;
    }
  }
  throw new Error('no valid signature');
}
`;
