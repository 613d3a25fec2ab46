import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { redactReplacer } from './redact.ts';

/**
 * One logger and one metrics per function instance (Powertools). Service name, namespace and levels come from
 * POWERTOOLS_* variables set by the stack and the local runner. Log lines never carry citizen ID numbers or phone
 * numbers: the replacer masks them by field name and by shape. No X-Ray tracer: DEVELOPERS.md says why.
 */
export const logger = new Logger({ serviceName: 'motcua', jsonReplacerFn: redactReplacer });
export const metrics = new Metrics({
  namespace: 'motcua',
  serviceName: 'motcua',
  // An invocation that records no business metric is normal here (a health check); not worth a warning each time.
  logger: {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) =>
      String(args[0]).startsWith('No application metrics')
        ? logger.debug(String(args[0]))
        : logger.warn(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});
