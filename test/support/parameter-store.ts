import { createServer, type Server } from 'node:http';

/**
 * A local end for the SDK's SSM and Secrets Manager clients, holding parameters and secrets in memory: the few
 * operations the ward key uses (PutParameter, GetParameter, GetSecretValue), in their AWS JSON 1.1 protocol, with
 * SSM's refusal to overwrite (ParameterAlreadyExists). No local service emulates either, so this stands in for them,
 * as small as what it answers; the clients, their serialization and their error parsing are the SDK's own. Every
 * request is recorded, so a test can see what was asked and that a value never travelled where it must not.
 */
export interface ParameterStore {
  endpoint: string;
  parameters: Map<string, { value: string; type: string; tier: string }>;
  secrets: Map<string, string>;
  /** Every call: the operation (X-Amz-Target without its prefix) and its input. */
  calls: { operation: string; input: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startParameterStore(): Promise<ParameterStore> {
  const parameters: ParameterStore['parameters'] = new Map();
  const secrets: ParameterStore['secrets'] = new Map();
  const calls: ParameterStore['calls'] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .at(-1) ?? '';
      // Signed for the service it is sent to, or refused as AWS refuses it (the signature itself is not checked).
      const service = operation === 'GetSecretValue' ? 'secretsmanager' : 'ssm';
      const scope = new RegExp(`^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/[a-z0-9-]+/${service}/aws4_request`);
      if (!scope.test(String(request.headers.authorization)))
        return response
          .writeHead(403)
          .end(JSON.stringify({ __type: 'InvalidSignatureException', message: 'unsigned' }));
      const input = JSON.parse(text || '{}') as Record<string, any>;
      calls.push({ operation, input });
      const answer = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      const fail = (type: string, message: string) => answer(400, { __type: type, message });
      switch (operation) {
        case 'PutParameter': {
          if (parameters.has(input.Name) && !input.Overwrite)
            return fail('ParameterAlreadyExists', 'The parameter already exists.');
          parameters.set(input.Name, { value: input.Value, type: input.Type, tier: input.Tier ?? 'Standard' });
          return answer(200, { Version: 1, Tier: input.Tier ?? 'Standard' });
        }
        case 'GetParameter': {
          const parameter = parameters.get(input.Name);
          if (!parameter) return fail('ParameterNotFound', `${input.Name} not found`);
          const encrypted = parameter.type === 'SecureString' && !input.WithDecryption;
          return answer(200, {
            Parameter: { Name: input.Name, Type: parameter.type, Value: encrypted ? 'AQICAH…' : parameter.value },
          });
        }
        case 'GetSecretValue': {
          const secret = secrets.get(input.SecretId);
          if (secret === undefined) return fail('ResourceNotFoundException', "Secrets Manager can't find the secret.");
          return answer(200, { ARN: input.SecretId, SecretString: secret });
        }
        default:
          return fail('UnknownOperationException', operation);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    secrets,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** CloudFormation's side of a custom resource: the response URL, and what was PUT there. */
export async function startResponseUrl(): Promise<{
  url: string;
  responses: Record<string, any>[];
  /** The raw bodies, to check that a key never reached CloudFormation. */
  bodies: string[];
  close(): Promise<void>;
}> {
  const responses: Record<string, any>[] = [];
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'PUT' && request.headers['content-type'] === undefined) {
        bodies.push(text);
        responses.push(JSON.parse(text));
        response.writeHead(200).end();
      } else response.writeHead(403).end('SignatureDoesNotMatch');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/cloudformation-response?X-Amz-Signature=local`,
    responses,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
