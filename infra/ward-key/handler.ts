import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ParameterAlreadyExists, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/**
 * The ward key's generator: the custom resource that creates the SSM SecureString parameter the functions read the
 * ward key from (shared/security/secrets.ts). CloudFormation cannot create a SecureString itself without its value in
 * the template, so this function does, once, at the stack's creation, and never writes it again:
 * - Create: 32 random bytes (base64url), or the old ward secret's text when the ward configuration names it
 *   (`deploy.wardKeyFromSecret`, for a ward deployed when the key was a Secrets Manager secret: its receipts' PINs,
 *   ETags and cursors stay valid). A parameter that exists already (a stack deleted and deployed again: the table and
 *   this parameter were retained) is kept as it is, never overwritten.
 * - Update: nothing. A new value would void the PIN on every receipt already handed out.
 * - Delete: nothing. The parameter is retained, as the table whose PIN hashes depend on it is.
 * The key's value is never logged, returned to CloudFormation or put in the template.
 */

export interface WardKeyProperties {
  /** The parameter's name, `/motcua/<ward>/ward-key`. */
  ParameterName: string;
  /** The ARN of the Secrets Manager secret whose text becomes the key, for a ward that had one. */
  CopyFromSecret?: string;
  /** `webhook-secret`: a portal's webhook secret (whsec_ and 32 random bytes in base64) rather than a ward key. */
  Format?: 'webhook-secret';
}

/** What the generator does with AWS: the two SDK calls it makes, so the handler can be run against other ends. */
export interface WardKeyStore {
  /** Creates the parameter with this value; false when one exists already (it is left as it was). */
  createParameter(name: string, value: string): Promise<boolean>;
  /** The text of a Secrets Manager secret. */
  secretText(arn: string): Promise<string>;
}

/** The least a key must hold, as shared/security/secrets.ts requires of what it reads. */
const MIN_KEY_LENGTH = 32;

/** A portal's webhook secret as Standard Webhooks writes one (shared/security/webhook-signature.ts). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function newWardKey(): string {
  return randomBytes(32).toString('base64url');
}

/** What a request does: the parameter's name is the resource's physical id, whatever happens. */
export async function applyWardKey(
  event: CloudFormationCustomResourceEvent,
  store: WardKeyStore,
): Promise<{ physicalResourceId: string; created: boolean }> {
  const {
    ParameterName: name,
    CopyFromSecret: from,
    Format: format,
  } = event.ResourceProperties as unknown as WardKeyProperties;
  if (!name) throw new Error('ParameterName is required');
  if (event.RequestType !== 'Create') return { physicalResourceId: event.PhysicalResourceId, created: false };
  let value = format === 'webhook-secret' ? newWebhookSecret() : newWardKey();
  if (from) {
    // The old secret's text, as shared/security/secrets.ts reads it: a key shorter than that would be refused there.
    value = (await store.secretText(from)).trim();
    if (value.length < MIN_KEY_LENGTH)
      throw new Error(`the secret ${from} holds fewer than ${MIN_KEY_LENGTH} characters: not a ward key`);
  }
  return { physicalResourceId: name, created: await store.createParameter(name, value) };
}

/** The store of the deployed generator: SSM and Secrets Manager through the SDK. */
export function awsWardKeyStore(ssm = new SSMClient({}), secretsManager = new SecretsManagerClient({})): WardKeyStore {
  return {
    async createParameter(name, value) {
      try {
        // Standard tier (free); encrypted under the account's AWS managed key aws/ssm (no KeyId), whose key policy
        // lets SSM use it for any principal of the account allowed the SSM call: no kms grant needed.
        await ssm.send(
          new PutParameterCommand({
            Name: name,
            Value: value,
            Type: 'SecureString',
            Tier: 'Standard',
            Overwrite: false,
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ParameterAlreadyExists) return false;
        throw error;
      }
    },
    async secretText(arn) {
      const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
      if (secret.SecretString === undefined) throw new Error(`the secret ${arn} holds no text`);
      return secret.SecretString;
    },
  };
}

/**
 * CloudFormation's custom-resource protocol: the outcome is PUT to the presigned URL of the request. A failure is
 * answered too (or the stack would wait an hour), with its message and without the key.
 */
export async function respond(
  event: CloudFormationCustomResourceEvent,
  outcome: { status: 'SUCCESS' | 'FAILED'; physicalResourceId: string; reason?: string },
): Promise<void> {
  const body: CloudFormationCustomResourceResponse = {
    Status: outcome.status,
    Reason: outcome.reason ?? 'see the log of the ward key generator',
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  // Bytes, not a string: fetch then sends no content type, which the presigned URL's signature does not cover.
  const answer = await fetch(event.ResponseURL, { method: 'PUT', body: Buffer.from(JSON.stringify(body)) });
  if (!answer.ok) throw new Error(`CloudFormation's response URL answered ${answer.status}`);
}

let store: WardKeyStore | undefined;

export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  store ??= awsWardKeyStore();
  // A Create that fails has no parameter to name; CloudFormation's rollback then deletes this id, which does nothing.
  const fallbackId =
    event.RequestType === 'Create' ? `${event.LogicalResourceId}-not-created` : event.PhysicalResourceId;
  try {
    const { physicalResourceId, created } = await applyWardKey(event, store);
    console.log(
      JSON.stringify({
        request: event.RequestType,
        parameter: physicalResourceId,
        created,
        copied: created && !!event.ResourceProperties.CopyFromSecret,
      }),
    );
    await respond(event, { status: 'SUCCESS', physicalResourceId });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(JSON.stringify({ request: event.RequestType, failed: reason }));
    await respond(event, { status: 'FAILED', physicalResourceId: fallbackId, reason });
  }
}
