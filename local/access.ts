import { onClient } from '../shared/adapters/aws.ts';
import { table } from '../shared/blueprint/resources.ts';
import type { Grant } from '../shared/blueprint/wiring.ts';
import { onKeyUse } from '../shared/security/secrets.ts';
import { currentInvocation } from './invocation.ts';

/**
 * The local stand-in for IAM: every call a handler's SDK clients make is checked against the grants the invoking
 * function's role has in the stack (shared/blueprint/wiring.ts builds both), and refused as AWS would refuse it.
 */

/** One authorisation IAM makes for a call: an action on a resource, with the DynamoDB item keys it touches. */
export interface AccessRequest {
  action: string;
  resource: string;
  /** Partition keys of the items touched (IAM's dynamodb:LeadingKeys), for item-level DynamoDB actions. */
  leadingKeys?: string[];
}

/** Local names → the ARNs the grants name. */
export interface LocalArns {
  account: string;
  region: string;
  table(name: string): string;
  bucket(name: string): string;
  queue(url: string): string;
  /** The ARN of the ward key parameter a key reference (`file:<path>`) stands for. */
  parameter(reference: string): string;
  /** A function's ARN from the name, partial ARN or ARN an Invoke names. */
  function(nameOrArn: string): string;
}

export class AccessPolicy {
  readonly grants: readonly Grant[];

  constructor(grants: readonly Grant[]) {
    this.grants = grants;
  }

  /** Whether some statement allows the request (the grants are all Allow; nothing allows what none names). */
  allows(request: AccessRequest): boolean {
    return this.grants.some(
      (grant) =>
        grant.actions.some((action) => wildcard(action, request.action, true)) &&
        grant.resources.some((resource) => wildcard(resource, request.resource, false)) &&
        conditionsHold(grant.conditions, request),
    );
  }
}

/** IAM's `*` and `?` matching; actions compare without case, ARNs with. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function conditionsHold(conditions: Grant['conditions'], request: AccessRequest): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    for (const [key, patterns] of Object.entries(keys)) {
      // Only what the blueprint uses; a new condition must be taught here rather than pass unchecked.
      if (operator !== 'ForAllValues:StringLike' || key !== 'dynamodb:LeadingKeys')
        throw new Error(`the local access check cannot evaluate the condition ${operator} ${key}`);
      // ForAllValues holds for an absent key, as in IAM; item-level actions always name their keys.
      const values = request.leadingKeys ?? [];
      if (!values.every((value) => patterns.some((pattern) => wildcard(pattern, value, false)))) return false;
    }
  }
  return true;
}

/** What AWS answers a call its role does not allow: the same error name and message shape as the SDK gets. */
export class AccessDenied extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };

  constructor(service: string, functionName: string, request: AccessRequest, arns: LocalArns) {
    super(
      `User: arn:aws:sts::${arns.account}:assumed-role/${functionName}/${functionName} is not authorized to perform: ` +
        `${request.action} on resource: ${request.resource} because no identity-based policy allows the ` +
        `${request.action} action (the local runner checks ${functionName}'s grants of the stack)`,
    );
    this.name = service === 's3' ? 'AccessDenied' : 'AccessDeniedException';
    if (service === 's3') this.$metadata = { httpStatusCode: 403 };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the inputs of every SDK command, read by their documented field names
type Input = Record<string, any>;
const S = (value: unknown) => (value as { S?: string } | undefined)?.S;
const partitionKeyOf = (key: Input | undefined): string[] => {
  const value = S(key?.[table.partitionKey]);
  return value === undefined ? [] : [value];
};

/** The authorisations IAM makes for one SDK call, by service and operation (the command's name without `Command`). */
export function accessRequests(service: string, operation: string, input: Input, arns: LocalArns): AccessRequest[] {
  switch (service) {
    case 'dynamodb':
      return dynamoRequests(operation, input, arns);
    case 's3':
      return s3Requests(operation, input, arns);
    case 'sqs':
      return sqsRequests(operation, input, arns);
    case 'lambda':
      // Invoke (either invocation type) is authorised as lambda:InvokeFunction on the function it names.
      return [
        {
          action: operation === 'Invoke' ? 'lambda:InvokeFunction' : `lambda:${operation}`,
          resource: input.FunctionName ? arns.function(String(input.FunctionName)) : '*',
        },
      ];
    // Publish names its topic; the batch form is authorised as Publish, as IAM does.
    case 'sns':
      return [{ action: `sns:${operation.replace(/Batch$/, '')}`, resource: input.TopicArn ?? '*' }];
    default:
      return [{ action: `${service}:${operation}`, resource: '*' }];
  }
}

function dynamoRequests(operation: string, input: Input, arns: LocalArns): AccessRequest[] {
  const item = (action: string, entry: Input): AccessRequest => ({
    action: `dynamodb:${action}`,
    resource: arns.table(entry.TableName),
    leadingKeys: partitionKeyOf(entry.Key ?? entry.Item),
  });
  switch (operation) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [item(operation, input)];
    case 'Query':
      return [
        {
          action: 'dynamodb:Query',
          resource: `${arns.table(input.TableName)}${input.IndexName ? `/index/${input.IndexName}` : ''}`,
          leadingKeys: queriedPartition(input),
        },
      ];
    // A transaction is authorised item by item, each by the action it performs.
    case 'TransactWriteItems':
      return (input.TransactItems as Input[]).flatMap((entry) => {
        const [kind, body] = Object.entries(entry)[0] as [string, Input];
        const action = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
        }[kind];
        return [item(action ?? kind, body)];
      });
    case 'TransactGetItems':
      return (input.TransactItems as Input[]).map((entry) => item('GetItem', entry.Get as Input));
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems as Record<string, Input | Input[]>).map(([name, requests]) => ({
        action: `dynamodb:${operation}`,
        resource: arns.table(name),
        leadingKeys: (operation === 'BatchGetItem'
          ? ((requests as Input).Keys as Input[])
          : (requests as Input[])
        ).flatMap((request) => partitionKeyOf(request.Key ?? request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
      }));
    default:
      return [{ action: `dynamodb:${operation}`, resource: input.TableName ? arns.table(input.TableName) : '*' }];
  }
}

/** The partition key value a Query names (`#pk = :v` or `pk = :v`), for dynamodb:LeadingKeys. */
function queriedPartition(input: Input): string[] | undefined {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  for (const [, name, placeholder] of String(input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    if ((names[name!] ?? name) === table.partitionKey) {
      const value = S(input.ExpressionAttributeValues?.[placeholder!]);
      return value === undefined ? undefined : [value];
    }
  }
  return undefined;
}

/**
 * The stack's bucket is versioned and its events name versions, so the check names the version it reads or deletes
 * (s3:GetObjectVersion, s3:DeleteObjectVersion). fauxqs keeps no versions and its events name none; a request naming
 * no version locally stands for the one the stack would name.
 */
function s3Requests(operation: string, input: Input, arns: LocalArns): AccessRequest[] {
  const object = (key: string) => `${arns.bucket(input.Bucket)}/${key}`;
  const versioned = (action: string) => `s3:${action}Version`;
  switch (operation) {
    case 'GetObject':
    case 'HeadObject':
      return [{ action: versioned('GetObject'), resource: object(input.Key) }];
    case 'DeleteObject':
      return [{ action: versioned('DeleteObject'), resource: object(input.Key) }];
    case 'PutObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return [{ action: 's3:PutObject', resource: object(input.Key) }];
    case 'CopyObject':
      return [
        { action: 's3:PutObject', resource: object(input.Key) },
        { action: 's3:GetObject', resource: `arn:aws:s3:::${decodeURIComponent(String(input.CopySource))}` },
      ];
    case 'DeleteObjects':
      return ((input.Delete?.Objects ?? []) as Input[]).map((o) => ({
        action: 's3:DeleteObject',
        resource: object(o.Key),
      }));
    case 'ListObjects':
    case 'ListObjectsV2':
    case 'HeadBucket':
      return [{ action: 's3:ListBucket', resource: arns.bucket(input.Bucket) }];
    default:
      return [{ action: `s3:${operation}`, resource: input.Bucket ? arns.bucket(input.Bucket) : '*' }];
  }
}

function sqsRequests(operation: string, input: Input, arns: LocalArns): AccessRequest[] {
  // IAM authorises the batch forms by their single actions.
  const action = operation.replace(/Batch$/, '');
  if (operation === 'GetQueueUrl')
    return [{ action: 'sqs:GetQueueUrl', resource: `arn:aws:sqs:${arns.region}:${arns.account}:${input.QueueName}` }];
  return [{ action: `sqs:${action}`, resource: input.QueueUrl ? arns.queue(input.QueueUrl) : '*' }];
}

/** The error of a call made by a function that ran past its timeout: Lambda would have stopped it by then. */
export class InvocationEnded extends Error {
  constructor(functionName: string) {
    super(`${functionName} timed out; Lambda would have stopped it before this call, so the local runner refuses it`);
    this.name = 'InvocationEnded';
  }
}

let installed = false;

/**
 * Checks every call of the adapters' clients (shared/adapters/aws.ts), and every use of a ward key
 * (shared/security/secrets.ts), against the invoking function's grants. Calls made outside any invocation (tests,
 * the runner itself) are not a function's and pass.
 */
export function installAccessCheck(): void {
  if (installed) return;
  installed = true;
  // Locally the ward key is a file the SDK never reads: each use of its reference is checked as IAM checks the
  // GetParameter that reads it in the stack.
  onKeyUse((reference) => {
    const invocation = currentInvocation();
    if (!invocation) return;
    const request = { action: 'ssm:GetParameter', resource: invocation.arns.parameter(reference) };
    if (!invocation.policy.allows(request))
      throw new AccessDenied('ssm', invocation.function, request, invocation.arns);
  });
  onClient((client, service) => {
    (client.middlewareStack as unknown as MiddlewareStack).add(
      (next, context) => async (args) => {
        const invocation = currentInvocation();
        if (invocation) {
          if (invocation.timedOut) throw new InvocationEnded(invocation.function);
          const operation = String(context.commandName).replace(/Command$/, '');
          for (const request of accessRequests(service, operation, args.input as Input, invocation.arns)) {
            if (!invocation.policy.allows(request))
              throw new AccessDenied(service, invocation.function, request, invocation.arns);
          }
        }
        return next(args);
      },
      // After the document client marshalled the input (so keys read as DynamoDB values), before signing, retries
      // and presigning, so a refused call is neither sent, retried nor signed.
      { step: 'build', priority: 'high', name: 'motcuaLocalAccessCheck', override: true },
    );
  });
}

type MiddlewareStack = {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: 'build'; priority: 'high'; name: string; override: boolean },
  ): void;
};
