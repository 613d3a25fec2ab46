import { dynamo } from '../../shared/adapters/aws.ts';

/**
 * Counts the DynamoDB calls the handlers make in this process (they share the client of shared/adapters/aws.ts).
 * Counting, not mocking: every call still goes to DynamoDB Local. The ward's pollers rest meanwhile, so the
 * stream consumers' own writes are not counted with the request's.
 */
export function countDynamoCalls(ward: { withPollersPaused<T>(work: () => Promise<T>): Promise<T> }) {
  const calls: string[] = [];
  let recording = false;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      if (recording) calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'motcuaCountCalls', override: true },
  );
  return {
    async during<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
      return ward.withPollersPaused(async () => {
        calls.length = 0;
        recording = true;
        try {
          const result = await work();
          return { result, calls: [...calls] };
        } finally {
          recording = false;
        }
      });
    },
  };
}
