import { dynamo } from '../../shared/adapters/aws.ts';

/**
 * Counts the DynamoDB calls the handlers make in this process (they share the client of shared/adapters/aws.ts).
 * Counting, not mocking: every call still goes to DynamoDB Local.
 */
export function countDynamoCalls() {
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
      calls.length = 0;
      recording = true;
      try {
        const result = await work();
        return { result, calls: [...calls] };
      } finally {
        recording = false;
      }
    },
  };
}
