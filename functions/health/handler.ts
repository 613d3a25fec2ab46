import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../../shared/adapters/aws.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { ServiceUnavailable } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { logger } from '../../shared/observability.ts';

/** A healthy table answers a GetItem in milliseconds; a monitor should hear about one that does not within this. */
export const TABLE_PROBE_TIMEOUT_MS = 2_000;
/** The key the probe reads. No item needs to be there: an answer, even an empty one, is what counts. */
const PROBE_KEY = { pk: 'HEALTH', sk: 'PROBE' };

/** 503 problem+json naming the failing check, so a monitor (and the API 5xx alarm) sees the ward is down. */
class TableFailing extends ServiceUnavailable {
  constructor(ward: { id: string; unitCode: string; name: string }) {
    super('health_table_failing', 5);
    Object.assign(this.extensions, { ward, checks: { table: 'failing' } });
  }
}

export const handler = httpFunction('health', {
  'GET /health': async ({ receivedAt }) => {
    const config = wardConfig();
    const ward = { id: config.id, unitCode: config.unitCode, name: config.name };
    try {
      await dynamo().send(new GetCommand({ TableName: tableName(), Key: PROBE_KEY }), {
        abortSignal: AbortSignal.timeout(TABLE_PROBE_TIMEOUT_MS),
      });
    } catch (error) {
      logger.warn('health: the table did not answer', {
        error: (error as Error).name,
        detail: (error as Error).message,
      });
      throw new TableFailing(ward);
    }
    return {
      status: 200,
      body: { status: 'ok', ward, checks: { table: 'ok' }, time: new Date(receivedAt).toISOString() },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
