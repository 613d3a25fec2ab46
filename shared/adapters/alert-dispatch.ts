import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ALERTS_PER_INVOCATION, type AlertBatch, type AlertMessage } from '../events.ts';
import { functionName, lambda } from './aws.ts';

/**
 * Hands alerts to alert-dispatch by an asynchronous invocation. Resolves once Lambda accepted the event (202):
 * from then on Lambda retries it and, if all attempts fail, records it on the invoke-failures queue. Anything
 * else throws, so the caller keeps its alert schedules where they were and a later run raises them again.
 */
export async function dispatchAlerts(alerts: readonly AlertMessage[]): Promise<void> {
  if (alerts.length > ALERTS_PER_INVOCATION)
    throw new Error(`${alerts.length} alerts in one invocation; at most ${ALERTS_PER_INVOCATION}`);
  const batch: AlertBatch = { alerts: [...alerts] };
  const answer = await lambda().send(
    new InvokeCommand({
      FunctionName: functionName('alert-dispatch'),
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(batch)),
    }),
  );
  if (answer.StatusCode !== 202) throw new Error(`alert-dispatch did not accept the alerts: ${answer.StatusCode}`);
}
