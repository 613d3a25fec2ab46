import { randomBytes } from 'node:crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../infra/ward-key/handler.ts';
import { env, wardKey } from '../../shared/blueprint/resources.ts';
import { deriveKey, secretKey } from '../../shared/security/secrets.ts';
import { parseWebhookSecrets } from '../../shared/security/webhook-signature.ts';
import { type ParameterStore, startParameterStore, startResponseUrl } from '../support/parameter-store.ts';

/*
 * The ward key's generator, run as CloudFormation runs it: its handler with the SDK's own SSM and Secrets Manager
 * clients (against test/support/parameter-store.ts) and its answer PUT to a response URL, which refuses a body with
 * a content type as a presigned URL that does not sign one would.
 */

const name = wardKey.parameterName('sample');
const oldSecretArn = 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:StoragePinKey-AbCdEf';
let store: ParameterStore;
let cloudFormation: Awaited<ReturnType<typeof startResponseUrl>>;

beforeAll(async () => {
  store = await startParameterStore();
  cloudFormation = await startResponseUrl();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SSM: store.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: store.endpoint,
  });
});
afterAll(async () => {
  await store.close();
  await cloudFormation.close();
});
beforeEach(() => {
  store.parameters.clear();
  store.secrets.clear();
  store.calls.length = 0;
  cloudFormation.responses.length = 0;
  cloudFormation.bodies.length = 0;
});

function request(
  type: 'Create' | 'Update' | 'Delete',
  properties: Record<string, string> = {},
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:ap-southeast-1:111111111111:function:generator',
    ResponseURL: cloudFormation.url,
    StackId: 'arn:aws:cloudformation:ap-southeast-1:111111111111:stack/motcua-sample/1',
    RequestId: randomBytes(8).toString('hex'),
    LogicalResourceId: 'StorageWardKeyParameter',
    ResourceType: wardKey.resourceType,
    ResourceProperties: { ServiceToken: 'generator', ParameterName: name, ...properties },
  };
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  if (type === 'Update')
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: name,
      OldResourceProperties: common.ResourceProperties,
    };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: name };
}

const puts = () => store.calls.filter((c) => c.operation === 'PutParameter');

describe('the ward key generator', () => {
  it('creates the parameter on Create: 32 random bytes in base64url, a standard SecureString, never overwriting', async () => {
    await handler(request('Create'));
    const created = store.parameters.get(name);
    expect(created).toMatchObject({ type: 'SecureString', tier: 'Standard' });
    expect(created!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created!.value, 'base64url')).toHaveLength(32);
    expect(puts()).toEqual([
      { operation: 'PutParameter', input: expect.objectContaining({ Name: name, Overwrite: false }) },
    ]);
    // No KeyId: the AWS managed key aws/ssm.
    expect(puts()[0]!.input.KeyId).toBeUndefined();
    expect(cloudFormation.responses).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: name }),
    ]);
    // CloudFormation never sees the key.
    expect(cloudFormation.bodies.join()).not.toContain(created!.value);
    // Another stack's creation makes another key.
    store.parameters.clear();
    await handler(request('Create'));
    expect(store.parameters.get(name)!.value).not.toBe(created!.value);
  });

  it('creates a portal’s webhook secret as Standard Webhooks writes one: whsec_ and 32 random bytes in base64', async () => {
    await handler(request('Create', { Format: 'webhook-secret' }));
    const created = store.parameters.get(name);
    expect(created).toMatchObject({ type: 'SecureString', tier: 'Standard' });
    expect(parseWebhookSecrets(created!.value)).toEqual([expect.any(Buffer)]);
    expect(Buffer.from(created!.value.replace(/^whsec_/, ''), 'base64')).toHaveLength(32);
    expect(cloudFormation.bodies.join()).not.toContain(created!.value);
  });

  it('keeps a parameter that exists already on Create (a stack deployed again over its retained key)', async () => {
    store.parameters.set(name, { value: 'k'.repeat(43), type: 'SecureString', tier: 'Standard' });
    await handler(request('Create'));
    expect(store.parameters.get(name)!.value).toBe('k'.repeat(43));
    expect(cloudFormation.responses).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: name }),
    ]);
  });

  it('keeps the value on Update and leaves the parameter on Delete, writing nothing', async () => {
    store.parameters.set(name, { value: 'u'.repeat(43), type: 'SecureString', tier: 'Standard' });
    await handler(request('Update', { CopyFromSecret: oldSecretArn }));
    await handler(request('Delete'));
    expect(store.calls).toEqual([]);
    expect(store.parameters.get(name)!.value).toBe('u'.repeat(43));
    expect(cloudFormation.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([
      ['SUCCESS', name],
      ['SUCCESS', name],
    ]);
  });

  it('copies the old ward secret on Create, so the PIN and signing keys of an upgraded ward stay the same', async () => {
    // The secret a ward deployed before had: 64 letters and digits, as Secrets Manager generated it.
    const old = randomBytes(48)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 64);
    store.secrets.set(oldSecretArn, old);
    await handler(request('Create', { CopyFromSecret: oldSecretArn }));
    expect(store.parameters.get(name)).toMatchObject({ value: old, type: 'SecureString' });
    expect(cloudFormation.bodies.join()).not.toContain(old);
    // A function reads it as in the stack (GetParameter WithDecryption) and derives the keys the secret gave.
    process.env[env.secret('pin')] = name;
    process.env[env.secret('signing')] = name;
    try {
      expect((await secretKey('pin')).equals(deriveKey('pin', Buffer.from(old)))).toBe(true);
      expect((await secretKey('signing')).equals(deriveKey('signing', Buffer.from(old)))).toBe(true);
    } finally {
      delete process.env[env.secret('pin')];
      delete process.env[env.secret('signing')];
    }
    expect(store.calls.filter((c) => c.operation === 'GetParameter').map((c) => c.input)).toEqual([
      { Name: name, WithDecryption: true },
    ]);
  });

  it('fails the Create, creating nothing, when the old secret cannot be read or is no ward key', async () => {
    await handler(request('Create', { CopyFromSecret: oldSecretArn }));
    store.secrets.set(oldSecretArn, 'short');
    await handler(request('Create', { CopyFromSecret: oldSecretArn }));
    expect(store.parameters.size).toBe(0);
    expect(cloudFormation.responses.map((r) => r.Status)).toEqual(['FAILED', 'FAILED']);
    expect(cloudFormation.responses[0]!.Reason).toMatch(/ResourceNotFoundException/);
    expect(cloudFormation.responses[1]!.Reason).toMatch(/fewer than 32 characters/);
    expect(cloudFormation.bodies.join()).not.toContain('short');
  });
});
