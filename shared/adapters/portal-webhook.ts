import type { PortalStatusMessage } from '../events.ts';

/** A portal that does not answer in this time is tried again later, by the queue. */
const TIMEOUT_MS = 10_000;

/**
 * Posts a status change to the portal's webhook. The idempotency key (code and version) lets the portal drop a
 * change it already has; any answer but a 2xx is an error, so the message is tried again.
 */
export async function postStatusChange(webhookUrl: string, message: PortalStatusMessage): Promise<void> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `${message.code}#${message.version}`,
      'user-agent': 'motcua-portal-sync',
    },
    body: JSON.stringify({ event: 'dossier.status_changed', ...message }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`portal ${message.portalId} answered ${response.status}`);
}
