import { createHash, createHmac } from 'node:crypto';

/**
 * GetParameter, WithDecryption, and nothing else of SSM: the one call a function makes to read the ward key at a
 * cold start. Not the SDK's SSM client, whose error classes and schemas of every SSM operation (75 KiB minified,
 * where the Secrets Manager client was 13 KiB) pushed the intake, action and read bundles past 500 KiB; a signed
 * JSON request (AWS JSON 1.1) is what that client would send. Signature Version 4 is written out below and checked
 * against the SDK's own signer (test/unit/adapters/parameter-store.test.ts). Credentials come from the
 * environment, as Lambda gives them. AWS_ENDPOINT_URL_SSM, the SDK's own override, points it elsewhere (the tests).
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** AWS Signature Version 4 of a request without a query string: the headers to send, Authorization included. */
export function signV4(
  request: SignableRequest,
  scope: { region: string; service: string },
  credentials: SigningCredentials,
  at: Date,
): Record<string, string> {
  const amzDate = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    host: request.url.host,
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonical = [
    request.method,
    request.url.pathname || '/',
    '',
    ...names.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256(request.body),
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [scope.region, scope.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
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
  const request: SignableRequest = {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
    body: JSON.stringify({ Name: name, WithDecryption: true }),
  };
  const headers = signV4(
    request,
    { region, service: 'ssm' },
    { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN },
    new Date(),
  );
  // Bounded, so a hung read cannot eat the function's timeout; a failed one is tried again on the next request.
  const answer = await fetch(url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(3000) });
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
