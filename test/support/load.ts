import { randomUUID } from 'node:crypto';
import type { TokenRequest } from '../../local/issuer.ts';

export interface LoadResult {
  clients: number;
  seconds: number;
  /** Filings answered 201, retries of one filing counted once. */
  filed: number;
  codes: string[];
  /** Every answer by status, retries included. */
  statuses: Record<number, number>;
  perSecond: number;
}

/**
 * `clients` counter clients filing one after another for `seconds`, each filing with its own Idempotency-Key,
 * sent again with the same key when the answer is a 503 (after its Retry-After, at most 5 times) as a
 * well-behaved client does.
 */
export async function fileUnderLoad(
  api: { url: string; token(as: TokenRequest): Promise<string> },
  body: () => Record<string, unknown>,
  clients: number,
  seconds: number,
): Promise<LoadResult> {
  const statuses: Record<number, number> = {};
  const codes: string[] = [];
  const started = Date.now();
  const until = started + seconds * 1000;
  const token = await api.token({ role: 'officer', username: 'load.officer' });
  async function client(): Promise<void> {
    while (Date.now() < until) {
      const key = randomUUID();
      for (let attempt = 0; attempt < 6; attempt++) {
        const answer = await fetch(`${api.url}/dossiers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body()),
        });
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        const text = await answer.text();
        if (answer.status === 201) {
          codes.push((JSON.parse(text) as { code: string }).code);
          break;
        }
        if (answer.status !== 503) break;
        await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after') ?? '1') * 1000));
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, () => client()));
  const elapsed = (Date.now() - started) / 1000;
  return { clients, seconds: elapsed, filed: codes.length, codes, statuses, perSecond: codes.length / elapsed };
}
