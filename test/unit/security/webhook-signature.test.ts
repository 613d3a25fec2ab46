import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseWebhookSecrets,
  WEBHOOK_VERIFICATION_EXAMPLE,
  webhookHeaders,
} from '../../../shared/security/webhook-signature.ts';

type Verify = (headers: Record<string, string>, rawBody: string, secrets: string[], nowSeconds?: number) => string;

/** The verification example of the OpenAPI document, loaded as a portal would run it. */
const { verifyDelivery } = (await import(
  `data:text/javascript;base64,${Buffer.from(WEBHOOK_VERIFICATION_EXAMPLE).toString('base64')}`
)) as { verifyDelivery: Verify };

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ event: 'dossier.status_changed', code: '000.00.00.H00-251201-0001', version: 3 });

describe('status webhooks are signed as Standard Webhooks sign them', () => {
  it("matches the scheme's published test vector", () => {
    const headers = webhookHeaders(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      '{"test": 2432232314}',
      parseWebhookSecrets('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
      1614265330,
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies with the example, and the example refuses a forged, altered or replayed delivery', () => {
    const secret = newSecret();
    const now = 1_800_000_000;
    const headers = webhookHeaders('X~3', body, parseWebhookSecrets(secret), now);
    expect(verifyDelivery(headers, body, [secret], now + 10)).toBe('X~3');
    // Signed with another secret: forged.
    const forged = webhookHeaders('X~3', body, parseWebhookSecrets(newSecret()), now);
    expect(() => verifyDelivery(forged, body, [secret], now)).toThrow(/no valid signature/);
    // The body changed after signing, or the id.
    expect(() => verifyDelivery(headers, body.replace('"version":3', '"version":4'), [secret], now)).toThrow(
      /no valid signature/,
    );
    expect(() => verifyDelivery({ ...headers, 'webhook-id': 'X~4' }, body, [secret], now)).toThrow();
    // The same request played again ten minutes later, or with its timestamp moved to now.
    expect(() => verifyDelivery(headers, body, [secret], now + 600)).toThrow(/tolerance/);
    expect(() =>
      verifyDelivery({ ...headers, 'webhook-timestamp': String(now + 600) }, body, [secret], now + 600),
    ).toThrow(/no valid signature/);
    expect(() => verifyDelivery({}, body, [secret], now)).toThrow(/missing/);
  });

  it('signs with both secrets while a portal rolls its secret over: either one verifies', () => {
    const [next, previous] = [newSecret(), newSecret()];
    const headers = webhookHeaders('X~1', body, parseWebhookSecrets(`${next}\n${previous}`), 1_800_000_000);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyDelivery(headers, body, [previous], 1_800_000_000)).toBe('X~1');
    expect(verifyDelivery(headers, body, [next], 1_800_000_000)).toBe('X~1');
  });

  it('refuses a secret parameter that is not one or two whsec_ secrets of enough bytes', () => {
    expect(() => parseWebhookSecrets('')).toThrow(/one or two/);
    expect(() => parseWebhookSecrets(`${newSecret()} ${newSecret()} ${newSecret()}`)).toThrow(/one or two/);
    expect(() => parseWebhookSecrets(randomBytes(32).toString('base64'))).toThrow(/whsec_/);
    expect(() => parseWebhookSecrets(`whsec_${randomBytes(8).toString('base64')}`)).toThrow(/bytes/);
  });
});
