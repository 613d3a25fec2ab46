import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { withInstrumentation } from '../../shared/adapters/batch.ts';
import {
  claimDelivery,
  type Delivery,
  dueDossiers,
  headOf,
  markAttemptFailed,
  markDelivered,
} from '../../shared/adapters/delivery-store.ts';
import { DELIVERY_TIMEOUT_MS, postDelivery } from '../../shared/adapters/portal-webhook.ts';
import { PORTAL_DELIVERY_METRIC } from '../../shared/blueprint/resources.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { afterFailedAttempt, deliveryId, retryPolicy } from '../../shared/domain/delivery.ts';
import { portalStatusMessageSchema } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

/**
 * Sends the deliveries of status changes that are due (shared/adapters/delivery-store.ts), each dossier's in order:
 * at once for those the portal-sync queue announces, and every minute (the schedule) for every due one, which is
 * how a failed attempt is tried again, with growing waits, until the ward's horizon marks it failed.
 *
 * Why a schedule drives the retries, not the queue: a FIFO queue has no per-message delay, holds a message at most
 * 12 hours out of sight (ChangeMessageVisibility) and 14 days in all, and counts every receive towards its
 * dead-letter queue, so waits of hours over days of outage cannot be spelt with it. The schedule costs one
 * invocation and one query of an empty sparse index a minute, 43,800 a month: about US$0.02 of Lambda (256 MB,
 * 0.1 s, mostly inside the free tier) and US$0.01 of reads, where the idle FIFO queue Lambda already polls costs about
 * US$0.32 (≈15 ReceiveMessage a minute). At a ward's volume (Kim Liên: 5,753 online dossiers a quarter, about six
 * changes each: ≈ 11,500 deliveries a month) the sends themselves are a few cents either way.
 *
 * The timeouts, so that a batch always ends or hands back what it did not send, and never sends a change twice:
 * - one send takes at most DELIVERY_TIMEOUT_MS (20 s), then at most three table writes (3 s each at the client's
 *   request timeout, WRITE_MARGIN_MS 10 s for them all);
 * - a send is started only while SEND_BUDGET_MS = 20 + 10 = 30 s of the function's 60 s are left, so the function is
 *   never stopped by its own timeout in the middle of one (which would leave a delivered change undelivered, to be
 *   sent again); what it did not start stays due in the table, handed back to the next run;
 * - the dossiers of a run go in parallel (at most DOSSIERS_PER_RUN), each one send after another, so a run of
 *   portals that all hang still makes the first send of every dossier: 20 s + 10 s ≤ 60 s;
 * - a delivery is leased while it is sent, for LEASE_MS = 60 s + 30 s, longer than any run: two runs (the schedule's
 *   and the queue's, or two schedules) never send the same one.
 * The blueprint's values are tested against these (test/unit/domain/delivery.test.ts).
 */
export const WRITE_MARGIN_MS = 10_000;
export const SEND_BUDGET_MS = DELIVERY_TIMEOUT_MS + WRITE_MARGIN_MS;
export const LEASE_MS = 90_000;
export const DOSSIERS_PER_RUN = 25;
/** The most of one dossier's deliveries sent in a run: the rest wait for the next. */
const SENDS_PER_DOSSIER = 20;

type Outcome = 'sent_all_due' | 'handed_back';

/** Sends what is due of one dossier, in order, until nothing is due, an attempt fails, or time runs short. */
async function sendDue(code: string, now: () => number, remaining: () => number): Promise<Outcome> {
  for (let sends = 0; sends < SENDS_PER_DOSSIER; sends++) {
    const head = await headOf(code);
    if (head?.state !== 'pending' || !head.nextAttemptAt || Date.parse(head.nextAttemptAt) > now())
      return 'sent_all_due';
    if (remaining() < SEND_BUDGET_MS) return 'handed_back';
    if (!(await claimDelivery(head, Date.now(), Date.now() + LEASE_MS))) return 'sent_all_due';
    if (!(await attempt(head, now()))) return 'sent_all_due';
  }
  return 'handed_back';
}

/** One attempt at the head of a dossier: true when the portal took it. */
async function attempt(delivery: Delivery, now: number): Promise<boolean> {
  const portal = wardConfig().portals.find((p) => p.id === delivery.portalId);
  const id = deliveryId(delivery.code, delivery.version);
  try {
    if (!portal?.statusWebhookUrl) throw new Error(`portal ${delivery.portalId} has no status webhook any more`);
    await postDelivery(portal.statusWebhookUrl, { ...delivery, id });
  } catch (error) {
    const policy = retryPolicy(wardConfig().portalSync.retryHorizonHours);
    const activatedAt = Date.parse(delivery.activatedAt ?? delivery.createdAt);
    const outcome = afterFailedAttempt({ attempts: delivery.attempts + 1, activatedAt }, now, policy, Math.random());
    const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message;
    await markAttemptFailed(delivery, outcome, reason, new Date(now).toISOString());
    if (outcome.state === 'failed') {
      // Nothing is dropped: the delivery stays, failed, for staff to send again; the alarm on this metric calls them.
      metrics.addMetric(PORTAL_DELIVERY_METRIC.failed, MetricUnit.Count, 1);
      logger.error('delivery to portal failed past the horizon', { id, portalId: delivery.portalId, reason });
    } else {
      logger.warn('delivery to portal failed; tried again later', { id, portalId: delivery.portalId, reason });
    }
    return false;
  }
  await markDelivered(delivery, new Date(now).toISOString());
  metrics.addMetric('portalStatusDelivered', MetricUnit.Count, 1);
  return true;
}

const isQueueEvent = (event: SQSEvent | ScheduledEvent): event is SQSEvent => 'Records' in event;

export const handler = withInstrumentation(async (event: SQSEvent | ScheduledEvent, context: Context) => {
  const remaining = () => context.getRemainingTimeInMillis();
  if (isQueueEvent(event)) {
    // Announced changes: what is due of their dossiers, now. Whatever is left stays due for the schedule, so no
    // message is handed back to the queue (a receive count would only send it to the dead-letter queue).
    const codes = [...new Set(event.Records.map((r) => portalStatusMessageSchema.parse(JSON.parse(r.body)).code))];
    await Promise.all(codes.map((code) => sendDue(code, Date.now, remaining)));
    return { batchItemFailures: [] };
  }
  // The schedule: its own time is the clock deliveries fall due by.
  const at = Date.parse(event.time);
  const codes = await dueDossiers(new Date(at).toISOString(), DOSSIERS_PER_RUN);
  const outcomes = await Promise.all(codes.map((code) => sendDue(code, () => at, remaining)));
  return { dossiers: codes.length, handedBack: outcomes.filter((o) => o === 'handed_back').length };
});
