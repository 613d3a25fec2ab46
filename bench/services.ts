import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS, localCredentials, startDynamoDbLocal, startLocalFauxqs } from '../local/services.ts';

/** The benchmark's own DynamoDB Local and fauxqs, with raw clients on them; `stop` ends all of it. */
export async function startBenchServices() {
  const [dynamoLocal, fauxqs] = await Promise.all([startDynamoDbLocal(), startLocalFauxqs()]);
  const config = { region: LOCAL_AWS.region, credentials: localCredentials };
  const raw = new DynamoDBClient({ ...config, endpoint: dynamoLocal.endpoint });
  const s3 = new S3Client({ ...config, endpoint: fauxqs.address, forcePathStyle: true });
  const sqs = new SQSClient({ ...config, endpoint: fauxqs.address });
  return {
    dynamoLocal,
    fauxqs,
    raw,
    s3,
    sqs,
    stop: async () => {
      for (const client of [raw, s3, sqs]) client.destroy();
      await fauxqs.stop();
      await dynamoLocal.stop();
    },
  };
}
