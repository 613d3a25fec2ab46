import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoEventSource } from '../../infra/ward-stack.ts';
import { matchesFilters } from '../../local/event-filter.ts';
import { localGrants, localResourceRefs, localRuntimes, sharedEnvironment } from '../../local/functions.ts';
import type { LocalResources } from '../../local/resources.ts';
import {
  type FunctionName,
  functions,
  type QueueName,
  queueConsumers,
  queues,
  secrets,
} from '../../shared/blueprint/resources.ts';
import { functionLimits, type Grant, type ResourceRefs, streamSources } from '../../shared/blueprint/wiring.ts';
import { WARD_CONFIG_ENV } from '../../shared/config/ward.ts';
import { sampleStack } from '../support/stack.ts';

/*
 * The local runner and the stack read one wiring (shared/blueprint/wiring.ts). These compare what the runner gives
 * each function with what the synthesized template gives it, so neither can change alone.
 */

let built: ReturnType<typeof sampleStack>;
let template: Record<string, any>;
beforeAll(() => {
  built = sampleStack();
  template = Template.fromStack(built.stack).toJSON();
}, 120_000);

// Local resources by their names only: what the runner would create under the prefix `l`.
const queueNames = Object.keys(queues) as QueueName[];
const local: LocalResources = {
  tableName: 'l-table',
  tableArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/l-table',
  streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/l-table/stream/2026-01-01T00:00:00.000',
  bucketName: 'l-documents',
  bucketArn: 'arn:aws:s3:::l-documents',
  queueUrls: Object.fromEntries(
    queueNames.map((q) => [q, `http://sqs.local/000000000000/l-${q}`]),
  ) as LocalResources['queueUrls'],
  queueArns: Object.fromEntries(
    queueNames.map((q) => [q, `arn:aws:sqs:local:000000000000:l-${q}`]),
  ) as LocalResources['queueArns'],
  deadLetterQueueUrls: Object.fromEntries(
    queueNames.map((q) => [q, `http://sqs.local/000000000000/l-${q}-dlq`]),
  ) as LocalResources['deadLetterQueueUrls'],
};
// Every key comes from the one ward secret, in the stack and locally.
const localSecrets = Object.fromEntries(
  (Object.keys(secrets) as (keyof typeof secrets)[]).map((s) => [
    s,
    { reference: 'file:/data/secrets/ward.key', arn: 'arn:aws:secretsmanager:local:000000000000:secret:l-ward' },
  ]),
) as ResourceRefs['secrets'];
const localTopics = { alerts: 'arn:aws:sns:local:000000000000:l-alerts' };
const refs = localResourceRefs(local, localSecrets, localTopics);

const logicalIdOf = (construct: IConstruct) =>
  built.stack.resolve((construct.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;

/** The template's references to the stack's resources, read as the local resources they stand for. */
function localValue(value: unknown, attribute: 'Arn' | 'Ref'): string {
  if (typeof value === 'string') return value;
  const { storage } = built.stack;
  const byLogicalId: Record<string, { Arn?: string; StreamArn?: string; Ref?: string }> = {
    [logicalIdOf(storage.table)]: { Arn: local.tableArn, StreamArn: local.streamArn, Ref: local.tableName },
    [logicalIdOf(storage.bucket)]: { Arn: local.bucketArn, Ref: local.bucketName },
    ...Object.fromEntries(
      queueNames.map((q) => [logicalIdOf(storage.queues[q]), { Arn: local.queueArns[q], Ref: local.queueUrls[q] }]),
    ),
    [logicalIdOf(storage.alertTopics.topics.alerts)]: { Ref: localTopics.alerts },
    ...Object.fromEntries(
      (Object.keys(secrets) as (keyof typeof secrets)[]).map((s) => [
        logicalIdOf(storage.secrets[s]),
        // A secret's ARN is its Ref; the function's variable holds it in the stack, the key file's path locally.
        { Ref: attribute === 'Arn' ? localSecrets[s].arn : localSecrets[s].reference },
      ]),
    ),
  };
  const intrinsic = value as Record<string, any>;
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => localValue(part, attribute)).join(separator);
  }
  if (intrinsic['Fn::GetAtt']) {
    const [id, name] = intrinsic['Fn::GetAtt'] as [string, 'Arn' | 'StreamArn'];
    const found = byLogicalId[id]?.[name];
    if (found) return found;
  }
  if (intrinsic.Ref) {
    const found = byLogicalId[intrinsic.Ref as string]?.Ref;
    if (found) return found;
  }
  throw new Error(`no local counterpart for ${JSON.stringify(value)}`);
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const roleOf = (name: FunctionName) => logicalIdOf(built.stack.functions[name].role);
function templateStatements(name: FunctionName): Statement[] {
  return Object.values(template.Resources)
    .filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleOf(name)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Each (action, resource, condition) a set of statements allows, one line each, sorted. */
function allowed(statements: { actions: string[]; resources: string[]; conditions?: unknown }[]): string[] {
  return statements
    .flatMap((s) => s.actions.flatMap((a) => s.resources.map((r) => `${a} ${r} ${JSON.stringify(s.conditions ?? {})}`)))
    .sort();
}

describe('the local runner, against the synthesized stack', () => {
  it('grants each function exactly what its role allows (logs aside, which no handler calls locally)', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      const stack = templateStatements(name).flatMap((s) => {
        expect(s.Effect).toBe('Allow');
        const actions = [s.Action].flat().filter((a) => !a.startsWith('logs:'));
        if (actions.length === 0) return [];
        return [
          {
            actions,
            resources: [s.Resource].flat().map((r) => localValue(r, 'Arn')),
            ...(s.Condition ? { conditions: s.Condition } : {}),
          },
        ];
      });
      const runner: Grant[] = localGrants(name, refs);
      expect(allowed(runner), name).toEqual(allowed(stack));
    }
  });

  it('gives each function the variables, timeout and memory of its stack function, pointing at the same resources', () => {
    const runtimes = localRuntimes(refs, sharedEnvironment(built.ward), {
      issuer: 'http://127.0.0.1/local',
      clientId: 'local-staff',
    });
    const fns = Object.values(template.Resources).filter(
      (r: any) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs24.x',
    ) as {
      Properties: {
        Description: string;
        Timeout: number;
        MemorySize: number;
        Environment: { Variables: Record<string, unknown> };
      };
    }[];
    for (const name of Object.keys(functions) as FunctionName[]) {
      const { Properties } = fns.find((f) => f.Properties.Description === functions[name].description)!;
      // The runner times a function out, and tells it its memory, as Lambda would.
      expect({ timeoutSeconds: Properties.Timeout, memoryMb: Properties.MemorySize }, name).toEqual(
        functionLimits(name),
      );
      const variables = Properties.Environment.Variables;
      const ours = Object.entries(variables).filter(([k]) => k.startsWith('MOTCUA_'));
      const theirs = runtimes[name].environment;
      // The stack inlines the ward configuration at bundling; locally it is a variable.
      expect(Object.keys(theirs).sort(), name).toEqual([...ours.map(([k]) => k), WARD_CONFIG_ENV].sort());
      for (const [variable, value] of ours) {
        // The staff tokens' issuer and app client are the local issuer's own.
        if (/STAFF_(CLIENT|ISSUER)$/.test(variable)) continue;
        expect(theirs[variable], `${name} ${variable}`).toBe(localValue(value, 'Ref'));
      }
    }
  });

  it('feeds stream consumers with the settings of the stack’s event source mappings', () => {
    const mappings = Object.values(template.Resources).filter(
      (r: any) => r.Type === 'AWS::Lambda::EventSourceMapping',
    ) as { Properties: Record<string, any> }[];
    for (const source of streamSources) {
      const fn = logicalIdOf(built.stack.functions[source.function].fn);
      const mapping = mappings.find((m) => m.Properties.FunctionName.Ref === fn && m.Properties.StartingPosition)!;
      expect(mapping.Properties, source.function).toMatchObject({
        BatchSize: source.batchSize,
        MaximumRetryAttempts: source.maxRetries,
        MaximumRecordAgeInSeconds: source.maxRecordAgeSeconds,
        BisectBatchOnFunctionError: source.bisectBatchOnError,
        FunctionResponseTypes: source.reportBatchItemFailures ? ['ReportBatchItemFailures'] : undefined,
      });
      expect(mapping.Properties.TumblingWindowInSeconds, source.function).toBe(source.tumblingWindowSeconds);
      expect(localValue(mapping.Properties.DestinationConfig.OnFailure.Destination, 'Arn')).toBe(
        local.queueArns[source.onFailure],
      );
      expect(mapping.Properties.FilterCriteria).toEqual(
        source.filters.length ? { Filters: source.filters.map((p) => ({ Pattern: JSON.stringify(p) })) } : undefined,
      );
    }
  });

  it('turns a stream consumer’s filters into its mapping’s FilterCriteria, as the local poller applies them', () => {
    const stack = new Stack(new App(), 'Filters');
    const table = new Table(stack, 'T', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const fn = new LambdaFunction(stack, 'F', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'i.h',
      code: Code.fromInline('exports.h = async () => {};'),
    });
    const pattern = { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['dossier'] } } } };
    fn.addEventSource(dynamoEventSource(table, { ...streamSources[0]!, filters: [pattern] }, new Queue(stack, 'Q')));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(pattern) }] },
    });
  });

  it('lets only changes of dossier items through to both stream consumers, by the filters of the template', () => {
    const code = '000.00.00.H99-260302-0001';
    // One item of each kind the table holds (docs/data-model.md), as a stream record's keys.
    const kinds: Record<string, [string, string]> = {
      dossier: [`DOSSIER#${code}`, 'DOSSIER'],
      slip: [`DOSSIER#${code}`, 'SLIP#0002'],
      upload: [`DOSSIER#${code}`, 'UPLOAD#u1'],
      sequence: ['SEQUENCE#2026-03-02', 'SEQUENCE'],
      idempotency: ['IDEMPOTENCY#dvcqg#abc', 'IDEMPOTENCY'],
      lookup: [`LOOKUP#${code}`, 'LOOKUP'],
      counter: ['REPORT#ward', 'DAY#2026-03-02'],
      checkpoint: ['STREAM#shardId-1', 'CHECKPOINT'],
      marker: [`ALERT#${code}`, 'overdue#2026-03-03T02:00:00.000Z'],
      schedule: [`ALERT#${code}`, 'SCHEDULE'],
      inbox: ['INBOX#officer', `2026-03-03T02:00:00.000Z#${code}#overdue`],
    };
    const mappings = Object.values(template.Resources).filter(
      (r: any) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.StartingPosition,
    ) as { Properties: Record<string, any> }[];
    expect(mappings).toHaveLength(streamSources.length);
    for (const source of streamSources) {
      const fn = logicalIdOf(built.stack.functions[source.function].fn);
      const mapping = mappings.find((m) => m.Properties.FunctionName.Ref === fn)!;
      const patterns = (mapping.Properties.FilterCriteria?.Filters ?? []).map((f: { Pattern: string }) =>
        JSON.parse(f.Pattern),
      );
      const through = Object.entries(kinds)
        .filter(([, [pk, sk]]) =>
          matchesFilters(patterns, { eventName: 'MODIFY', dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } }),
        )
        .map(([kind]) => kind);
      expect(through, source.function).toEqual(['dossier']);
    }
  });

  it('creates queues with the visibility timeout and receive count the stack’s have, and feeds them in its batches', () => {
    for (const name of queueNames) {
      const queue = template.Resources[logicalIdOf(built.stack.storage.queues[name])].Properties;
      expect(queue.VisibilityTimeout, name).toBe(queues[name].visibilityTimeoutSeconds);
      expect(queue.RedrivePolicy.maxReceiveCount, name).toBe(queues[name].maxReceiveCount);
    }
    for (const consumer of queueConsumers) {
      const fn = logicalIdOf(built.stack.functions[consumer.function].fn);
      const mapping = Object.values(template.Resources).find(
        (r: any) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName.Ref === fn,
      ) as { Properties: Record<string, any> };
      expect(mapping.Properties).toMatchObject({
        BatchSize: consumer.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(localValue(mapping.Properties.EventSourceArn, 'Arn')).toBe(local.queueArns[consumer.queue]);
    }
  });
});
