import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvocationEnded } from '../../local/access.ts';
import type { Handler } from '../../local/lambda.ts';
import { bucketName, dynamo, functionName, lambda, queueUrl, s3, sqs, tableName } from '../../shared/adapters/aws.ts';
import { env } from '../../shared/blueprint/resources.ts';
import { functionLimits } from '../../shared/blueprint/wiring.ts';
import { WARD_CONFIG_ENV } from '../../shared/config/ward.ts';
import { loadedSecret, loadSecrets, secretKey } from '../../shared/security/secrets.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Every handler runs in one process here; in the stack each has its own environment and its own role. These check
 * that a function locally reaches exactly what its role lets it reach, through the adapters' own clients.
 */

let ward: TestWard;

// The health function, replaced by one slower than its timeout: the only fault injected here.
let startedWith = 0;
let lateCall: Promise<unknown> | undefined;
const slowHealth: Handler = async (_event, context) => {
  startedWith = context.getRemainingTimeInMillis();
  await new Promise((resolve) => setTimeout(resolve, startedWith + 500));
  lateCall = dynamo().send(new GetCommand({ TableName: tableName(), Key: { pk: 'HEALTH', sk: 'PROBE' } }));
  await lateCall;
  return { statusCode: 200, body: 'finished late' };
};

beforeAll(async () => {
  ward = await startTestWard((w) => w, { standIns: { health: slowHealth } });
});
afterAll(async () => {
  await ward?.stop();
});

const denied = { name: 'AccessDeniedException' };
const item = (pk: string) => ({ TableName: tableName(), Item: { pk, sk: 'GRANTS' } });
const key = (pk: string) => ({ TableName: tableName(), Key: { pk, sk: 'GRANTS' } });

describe('a function, locally as in the stack', () => {
  it('has the table actions of its access level, and no others', async () => {
    await ward.runAs('dossier-actions', () => dynamo().send(new PutCommand(item('DOSSIER#grants'))));
    // Reading is all a reader may do.
    expect((await ward.runAs('reports', () => dynamo().send(new GetCommand(key('DOSSIER#grants'))))).Item).toEqual({
      pk: 'DOSSIER#grants',
      sk: 'GRANTS',
    });
    await expect(
      ward.runAs('reports', () => dynamo().send(new PutCommand(item('DOSSIER#grants')))),
    ).rejects.toMatchObject({
      ...denied,
      message: expect.stringMatching(/not authorized to perform: dynamodb:PutItem on resource: arn:/),
    });
    // The health probe gets one item and can do nothing else, not even query.
    await ward.runAs('health', () => dynamo().send(new GetCommand(key('DOSSIER#grants'))));
    await expect(
      ward.runAs('health', () =>
        dynamo().send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'DOSSIER#grants' },
          }),
        ),
      ),
    ).rejects.toMatchObject(denied);
    // Signing upload URLs puts upload records, a reuse marks its component (an update); nothing is deleted.
    await ward.runAs('document-upload', () => dynamo().send(new PutCommand(item('DOSSIER#upload-grants'))));
    await ward.runAs('document-upload', () =>
      dynamo().send(
        new UpdateCommand({
          ...key('DOSSIER#upload-grants'),
          UpdateExpression: 'SET x = :x',
          ExpressionAttributeValues: { ':x': 1 },
        }),
      ),
    );
    await expect(
      ward.runAs('document-upload', () => dynamo().send(new DeleteCommand(key('DOSSIER#upload-grants')))),
    ).rejects.toMatchObject({
      ...denied,
      message: expect.stringMatching(/not authorized to perform: dynamodb:DeleteItem on resource: arn:/),
    });
  });

  it('has no table at all when the blueprint gives it none: no variable, and a named table refused', async () => {
    expect(() => ward.runAs('openapi', () => tableName())).toThrow(/MOTCUA_TABLE_NAME is not set/);
    await expect(
      ward.runAs('openapi', () =>
        dynamo().send(
          new GetCommand({ TableName: ward.resources.tableName, Key: { pk: 'DOSSIER#grants', sk: 'GRANTS' } }),
        ),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('queries only the indexes the blueprint names, and only if it queries indexes at all', async () => {
    const byStatus = (indexName: string) =>
      new QueryCommand({
        TableName: tableName(),
        IndexName: indexName,
        KeyConditionExpression: 'listStatus = :s',
        ExpressionAttributeValues: { ':s': 'received' },
      });
    await ward.runAs('dossier-read', () => dynamo().send(byStatus('byStatusDue')));
    await expect(ward.runAs('dossier-intake', () => dynamo().send(byStatus('byStatusDue')))).rejects.toMatchObject(
      denied,
    );
    await expect(ward.runAs('dossier-read', () => dynamo().send(byStatus('byAnythingElse')))).rejects.toMatchObject(
      denied,
    );
  });

  it('lets the deadline watch move alert schedules (ALERT#…) on, and write no dossier', async () => {
    await ward.runAs('deadline-watch', () =>
      dynamo().send(
        new UpdateCommand({
          ...key('ALERT#grants'),
          UpdateExpression: 'SET alertLevel = :next',
          ExpressionAttributeValues: { ':next': 'overdue' },
        }),
      ),
    );
    await expect(
      ward.runAs('deadline-watch', () =>
        dynamo().send(
          new UpdateCommand({
            ...key('DOSSIER#grants'),
            UpdateExpression: 'SET alertLevel = :next',
            ExpressionAttributeValues: { ':next': 'overdue' },
          }),
        ),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('lets the public lookup write its attempt counters (LOOKUP#…) and nothing else, transactions included', async () => {
    await ward.runAs('public-lookup', () => dynamo().send(new PutCommand(item('LOOKUP#grants'))));
    await ward.runAs('public-lookup', () =>
      dynamo().send(
        new UpdateCommand({
          ...key('LOOKUP#grants'),
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': 1 },
        }),
      ),
    );
    await expect(
      ward.runAs('public-lookup', () => dynamo().send(new PutCommand(item('DOSSIER#grants')))),
    ).rejects.toMatchObject(denied);
    await expect(
      ward.runAs('public-lookup', () =>
        dynamo().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: item('LOOKUP#grants-2') },
              {
                Update: {
                  ...key('DOSSIER#grants'),
                  UpdateExpression: 'SET n = :n',
                  ExpressionAttributeValues: { ':n': 1 },
                },
              },
            ],
          }),
        ),
      ),
    ).rejects.toMatchObject(denied);
    // Refused before it reached the table: the transaction's allowed half was not written either.
    expect(
      (await ward.runAs('reports', () => dynamo().send(new GetCommand(key('LOOKUP#grants-2'))))).Item,
    ).toBeUndefined();
  });

  it('touches only documents under dossiers/, each function with its own actions', async () => {
    const upload = (objectKey: string) =>
      getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucketName(), Key: objectKey }), { expiresIn: 60 });
    expect(await ward.runAs('document-upload', () => upload('dossiers/X/components/TK/a.pdf'))).toMatch(/^http/);
    await expect(ward.runAs('document-upload', () => upload('elsewhere/a.pdf'))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    // It signs downloads of documents, none elsewhere, and deletes nothing.
    await expect(
      ward.runAs('document-upload', () =>
        s3().send(new GetObjectCommand({ Bucket: bucketName(), Key: 'elsewhere/a.pdf' })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      ward.runAs('document-upload', () =>
        s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: 'dossiers/X/a.pdf' })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });

    await ward.clients.s3.send(
      new PutObjectCommand({ Bucket: ward.resources.bucketName, Key: 'dossiers/X/b.pdf', Body: 'b' }),
    );
    await ward.clients.s3.send(
      new PutObjectCommand({ Bucket: ward.resources.bucketName, Key: 'other/b.pdf', Body: 'b' }),
    );
    const head = (objectKey: string) => () =>
      s3().send(new HeadObjectCommand({ Bucket: bucketName(), Key: objectKey }));
    expect((await ward.runAs('document-verify', head('dossiers/X/b.pdf'))).ContentLength).toBe(1);
    await expect(ward.runAs('document-verify', head('other/b.pdf'))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      ward.runAs('document-verify', () =>
        s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: 'other/b.pdf' })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    // A function without the bucket has no bucket to name.
    expect(() => ward.runAs('reports', () => bucketName())).toThrow(/MOTCUA_BUCKET_NAME is not set/);
  });

  it('sends only to the queues it declares', async () => {
    await ward.runAs('portal-notifier', () =>
      sqs().send(
        new SendMessageCommand({
          QueueUrl: queueUrl('portalSync'),
          MessageBody: '{}',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'd',
        }),
      ),
    );
    await expect(
      ward.runAs('portal-notifier', () =>
        sqs().send(new SendMessageCommand({ QueueUrl: ward.resources.queueUrls.invokeFailures, MessageBody: '{}' })),
      ),
    ).rejects.toMatchObject(denied);
    expect(() => ward.runAs('deadline-watch', () => queueUrl('portalSync'))).toThrow(
      /MOTCUA_QUEUE_URL_PORTAL_SYNC is not set/,
    );
  });

  it('invokes only the function the blueprint says it invokes: the watch alert-dispatch, nothing else, nobody else', async () => {
    const invoke = (target: string | (() => string)) => () =>
      lambda().send(
        new InvokeCommand({
          FunctionName: typeof target === 'string' ? target : target(),
          InvocationType: 'Event',
          // Refused by alert-dispatch's schema (no alert), so the accepted one delivers nothing.
          Payload: new TextEncoder().encode(JSON.stringify({ alerts: [] })),
        }),
      );
    const prefix = ward.resources.tableName.replace(/-table$/, '');
    const accepted = await ward.runAs(
      'deadline-watch',
      invoke(() => functionName('alert-dispatch')),
    );
    expect(accepted.StatusCode).toBe(202);
    for (const other of ['document-verify', 'dossier-actions', 'deadline-watch'])
      await expect(ward.runAs('deadline-watch', invoke(`${prefix}-${other}`)), other).rejects.toMatchObject(denied);
    // By its ARN or a qualified name the same: only the unqualified alert-dispatch.
    await expect(ward.runAs('deadline-watch', invoke(`${prefix}-alert-dispatch:$LATEST`))).rejects.toMatchObject(
      denied,
    );
    for (const caller of ['dossier-actions', 'alert-dispatch', 'document-verify', 'portal-notifier'] as const)
      await expect(ward.runAs(caller, invoke(`${prefix}-alert-dispatch`)), caller).rejects.toMatchObject(denied);
    expect(() => ward.runAs('dossier-actions', () => functionName('alert-dispatch'))).toThrow(
      /MOTCUA_FUNCTION_ALERT_DISPATCH is not set/,
    );
  });

  it('sees its own environment while it runs, and no other function’s', () => {
    const variables = () => ({
      table: process.env[env.tableName],
      bucket: process.env[env.bucketName],
      alertDispatch: process.env[env.functionName('alert-dispatch')],
      pin: process.env[env.secret('pin')],
      ward: process.env[WARD_CONFIG_ENV] !== undefined,
    });
    expect(ward.runAs('reports', variables)).toEqual({
      table: ward.resources.tableName,
      bucket: undefined,
      alertDispatch: undefined,
      pin: undefined,
      ward: true,
    });
    expect(ward.runAs('document-upload', variables)).toMatchObject({
      bucket: ward.resources.bucketName,
      pin: undefined,
    });
    expect(ward.runAs('deadline-watch', variables).alertDispatch).toMatch(/-alert-dispatch$/);
    expect(ward.runAs('public-lookup', variables).pin).toMatch(/^file:/);
    // Outside every function, the process holds none of theirs.
    expect(variables()).toEqual({
      table: undefined,
      bucket: undefined,
      alertDispatch: undefined,
      pin: undefined,
      ward: false,
    });
  });

  it('reads only the secrets it was granted, whatever another function loaded before', async () => {
    await ward.runAs('dossier-intake', () => loadSecrets(['pin', 'signing']));
    expect(ward.runAs('dossier-intake', () => loadedSecret('pin')).length).toBeGreaterThanOrEqual(32);
    await expect(ward.runAs('reports', () => secretKey('pin'))).rejects.toThrow(/not granted the pin secret/);
    expect(() => ward.runAs('dossier-actions', () => loadedSecret('pin'))).toThrow(/not granted the pin secret/);
    expect(() => ward.runAs('public-lookup', () => loadedSecret('signing'))).toThrow(/not granted the signing secret/);
    // Told where the key is but not granted it (a variable the wiring should not have given): its role refuses the
    // read as IAM refuses the GetParameter, though the key is in the cache already.
    const reference = ward.runAs('dossier-intake', () => process.env[env.secret('pin')]!);
    const misled = <T>(read: () => T) =>
      ward.runAs('reports', () => {
        process.env[env.secret('pin')] = reference;
        return read();
      });
    const refused = {
      name: 'AccessDeniedException',
      message: expect.stringMatching(/not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:.*ward-key/),
    };
    await expect(misled(() => secretKey('pin'))).rejects.toMatchObject(refused);
    expect(() => misled(() => loadedSecret('pin'))).toThrow(expect.objectContaining(refused));
  });
});

describe('a function past its timeout', () => {
  it('is answered as API Gateway answers a failed integration, its late result discarded, and may call nothing more', async () => {
    const timeoutMs = functionLimits('health').timeoutSeconds * 1000;
    const answer = await fetch(`${ward.url}/health`);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ message: 'Internal Server Error' });
    // It ran with the blueprint's timeout.
    expect(startedWith).toBeLessThanOrEqual(timeoutMs);
    expect(startedWith).toBeGreaterThan(timeoutMs - 1000);
    // Lambda would have stopped it: its call after the timeout is refused, not sent.
    await vi.waitUntil(() => lateCall !== undefined, { timeout: 5000, interval: 100 });
    await expect(lateCall).rejects.toBeInstanceOf(InvocationEnded);
  });
});
