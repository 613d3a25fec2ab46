import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The floor of the bundle figures: a function that only creates a DynamoDB client and reads one item, bundled as
 * the stack bundles every function (test/support/bundles.ts `bundleFigures`). What a function imports beyond this
 * is what it costs of its own.
 */
const client = new DynamoDBClient({});

export const handler = async (event: { tableName: string; key: { pk: string; sk: string } }) => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: event.tableName, Key: { pk: { S: event.key.pk }, sk: { S: event.key.sk } } }),
  );
  return { found: Item !== undefined };
};
