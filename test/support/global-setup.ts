import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/services.ts';

/**
 * One DynamoDB Local for the whole integration run, on a free port, in memory (Java starts in seconds; the
 * tables are the slow part to share, so every test file makes its own). fauxqs starts inside each file.
 */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
