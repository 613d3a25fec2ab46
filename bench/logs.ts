import { currentInvocation } from '../local/invocation.ts';
import { logger, metrics } from '../shared/observability.ts';

/**
 * What the functions write to their logs, per function: their own lines at the stack's level (INFO) and their EMF
 * metrics, as CloudWatch ingests them (one compact JSON line each; the local runner's dev mode indents them).
 * Their output is kept off the benchmark's own. An invocation is counted when it writes at least one line.
 */
export function meterLogs(): {
  bytes: Record<string, number>;
  invocations: Record<string, number>;
  metrics: Set<string>;
} {
  const bytes: Record<string, number> = {};
  const invocations: Record<string, number> = {};
  const seen = new WeakSet<object>();
  const metricNames = new Set<string>();
  logger.setLogLevel('INFO');
  // The stack publishes metrics; the local runner turns them off when the handlers load.
  (metrics as unknown as { disabled: boolean }).disabled = false;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const invocation = currentInvocation();
    if (!invocation) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let line = text.trimEnd();
    try {
      const parsed = JSON.parse(line) as {
        _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string }[]; Dimensions?: string[][] }[] };
      };
      for (const group of parsed._aws?.CloudWatchMetrics ?? [])
        for (const metric of group.Metrics ?? []) metricNames.add(`${metric.Name} ${JSON.stringify(group.Dimensions)}`);
      line = JSON.stringify(parsed);
    } catch {
      // Not JSON: counted as written.
    }
    const name = invocation.function;
    bytes[name] = (bytes[name] ?? 0) + Buffer.byteLength(line, 'utf8') + 1;
    if (!seen.has(invocation)) {
      seen.add(invocation);
      invocations[name] = (invocations[name] ?? 0) + 1;
    }
    return true;
  }) as typeof process.stdout.write;
  return { bytes, invocations, metrics: metricNames };
}
