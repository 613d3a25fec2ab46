import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * GetParameter, WithDecryption, and nothing else of SSM: the one call a function makes to read the ward key at a
 * cold start. Not the SDK's SSM client, whose error classes and schemas of every SSM operation (75 KiB minified,
 * where the Secrets Manager client was 13 KiB) pushed the intake, action and read bundles past 500 KiB; a JSON request
 * (AWS JSON 1.1), signed by the SDK's own Signature Version 4 signer (`@smithy/signature-v4`, which every function
 * bundles already with its DynamoDB client), is what that client would send. Credentials come from the environment,
 * as Lambda gives them. AWS_ENDPOINT_URL_SSM, the SDK's own override, points it elsewhere (the tests).
 */

type Bytes = string | ArrayBuffer | ArrayBufferView;
const buffer = (data: Bytes) =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The signer's hash interface over node's crypto: HMAC-SHA256 when given a key, SHA-256 without. */
class Sha256 {
  private readonly secret: Bytes | undefined;
  private hash;
  constructor(secret?: Bytes) {
    this.secret = secret;
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', buffer(this.secret));
  }
  update(data: Bytes) {
    this.hash.update(buffer(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.fresh();
  }
}

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** A signed POST of an AWS JSON 1.1 operation: the headers to send, Authorization included. */
export async function signedHeaders(
  url: URL,
  target: string,
  body: string,
  scope: { region: string; service: string },
  credentials: SigningCredentials,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname || '/',
    query: {},
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, host: url.host },
    body,
  });
  return signed.headers;
}

/** An error SSM answered, by its type name (ParameterNotFound, AccessDeniedException…), as the SDK names it. */
export class ParameterStoreError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** A SecureString parameter's value, decrypted (under aws/ssm, which SSM uses for the caller: no kms grant). */
export async function secureParameter(name: string): Promise<string> {
  const region = process.env.AWS_REGION;
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!region || !accessKeyId || !secretAccessKey) throw new Error('no region or credentials in the environment');
  const url = new URL(process.env.AWS_ENDPOINT_URL_SSM ?? `https://ssm.${region}.amazonaws.com/`);
  const request = JSON.stringify({ Name: name, WithDecryption: true });
  const headers = await signedHeaders(
    url,
    'AmazonSSM.GetParameter',
    request,
    { region, service: 'ssm' },
    { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN },
  );
  // Bounded, so a hung read cannot eat the function's timeout; a failed one is tried again on the next request.
  const answer = await fetch(url, { method: 'POST', headers, body: request, signal: AbortSignal.timeout(3000) });
  const text = await answer.text();
  let body: { Parameter?: { Value?: string }; __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: reported below by the status.
  }
  if (!answer.ok)
    throw new ParameterStoreError(
      String(body.__type ?? 'ParameterStoreError')
        .split('#')
        .at(-1)!,
      `SSM GetParameter ${name}: ${answer.status} ${body.message ?? body.Message ?? ''}`.trim(),
      answer.status,
    );
  const value = body.Parameter?.Value;
  if (value === undefined) throw new Error(`SSM GetParameter ${name}: no value in the answer`);
  return value;
}
