import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The benchmark's floor: a bundle holding only a DynamoDB client, built with the functions' esbuild options. Its
 * import is what any function that reaches the table must pay at the least; its first request, one GetItem, the
 * least a first request costs.
 */
const client = new DynamoDBClient({});

export const handler = async (event: { tableName?: string }) => {
  if (event.tableName)
    await client.send(
      new GetItemCommand({ TableName: event.tableName, Key: { pk: { S: 'FLOOR' }, sk: { S: 'FLOOR' } } }),
    );
  return { ok: true };
};
