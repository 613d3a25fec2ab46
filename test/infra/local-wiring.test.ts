import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoEventSource } from '../../infra/ward-stack.ts';
import { matchesFilters } from '../../local/event-filter.ts';
import {
  localFunctionRefs,
  localGrants,
  localResourceRefs,
  localRuntimes,
  sharedEnvironment,
} from '../../local/functions.ts';
import { type LocalResources, localTableDefinition } from '../../local/resources.ts';
import {
  asyncInvocations,
  bucketNotifications,
  type FunctionName,
  functions,
  type QueueName,
  queueConsumers,
  queues,
  secrets,
} from '../../shared/blueprint/resources.ts';
import {
  asyncTargetSettings,
  functionLimits,
  type Grant,
  type ResourceRefs,
  streamSources,
} from '../../shared/blueprint/wiring.ts';
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
// Every key comes from the one ward key parameter, in the stack and locally.
const localSecrets = Object.fromEntries(
  (Object.keys(secrets) as (keyof typeof secrets)[]).map((s) => [
    s,
    { reference: 'file:/data/secrets/ward.key', arn: 'arn:aws:ssm:local:000000000000:parameter/motcua/l/ward-key' },
  ]),
) as ResourceRefs['secrets'];
const localTopics = { alerts: 'arn:aws:sns:local:000000000000:l-alerts' };
// The sample portal's webhook secret: a file locally, a parameter of its own in the stack.
const localPortalSecrets = {
  dvcqg: {
    reference: 'file:/data/secrets/portal-dvcqg.webhook-secret',
    arn: 'arn:aws:ssm:local:000000000000:parameter/motcua/l/portals/dvcqg/webhook-secret',
  },
};
const refs = localResourceRefs(local, localSecrets, localTopics, localPortalSecrets);
const functionRefs = localFunctionRefs('l', 'local');

const logicalIdOf = (construct: IConstruct) =>
  built.stack.resolve((construct.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;

/** The template's references to the stack's resources, read as the local resources they stand for. */
function localValue(value: unknown, attribute: 'Arn' | 'Ref'): string {
  const { storage } = built.stack;
  // The parameter's ARN is built from its name (the grant needs no reference to the custom resource).
  for (const s of Object.keys(secrets) as (keyof typeof secrets)[])
    if (JSON.stringify(value) === JSON.stringify(built.stack.resolve(storage.secrets[s].parameterArn)))
      return localSecrets[s].arn;
  for (const [portal, secret] of Object.entries(storage.portalSecrets)) {
    const resolved = built.stack.resolve(secret);
    const counterpart = localPortalSecrets[portal as keyof typeof localPortalSecrets];
    if (JSON.stringify(value) === JSON.stringify(resolved.arn)) return counterpart.arn;
    if (JSON.stringify(value) === JSON.stringify(resolved.reference)) return counterpart.reference;
  }
  if (typeof value === 'string') return value;
  const byLogicalId: Record<string, { Arn?: string; StreamArn?: string; Ref?: string }> = {
    [logicalIdOf(storage.table)]: { Arn: local.tableArn, StreamArn: local.streamArn, Ref: local.tableName },
    [logicalIdOf(storage.bucket)]: { Arn: local.bucketArn, Ref: local.bucketName },
    ...Object.fromEntries(
      queueNames.map((q) => [logicalIdOf(storage.queues[q]), { Arn: local.queueArns[q], Ref: local.queueUrls[q] }]),
    ),
    [logicalIdOf(storage.alertTopics.topics.alerts)]: { Ref: localTopics.alerts },
    ...Object.fromEntries(
      (Object.keys(functions) as FunctionName[]).map((f) => [
        logicalIdOf(built.stack.functions[f].fn),
        { Arn: functionRefs[f].arn, Ref: functionRefs[f].name },
      ]),
    ),
    ...Object.fromEntries(
      (Object.keys(secrets) as (keyof typeof secrets)[]).map((s) => [
        logicalIdOf(storage.secrets[s].resource),
        // The custom resource's Ref is the parameter's name, which the function's variable holds in the stack; the
        // key file's path locally.
        { Ref: localSecrets[s].reference },
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
  it('creates the table with the keys and indexes of the stack’s, each index projecting what the stack’s does', () => {
    const [stackTable] = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::DynamoDB::Table') as {
      Properties: Record<string, any>;
    }[];
    const byName = <T extends { IndexName?: string }>(indexes: T[]) =>
      [...indexes].sort((a, b) => a.IndexName!.localeCompare(b.IndexName!));
    const byAttribute = <T extends { AttributeName?: string }>(attributes: T[]) =>
      [...attributes].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!));
    const runner = localTableDefinition('l-table');
    expect(runner.KeySchema).toEqual(stackTable!.Properties.KeySchema);
    expect(byAttribute(runner.AttributeDefinitions!)).toEqual(byAttribute(stackTable!.Properties.AttributeDefinitions));
    // Projection included: an index that projected more locally would hide a worklist reading an attribute the
    // stack's index lacks.
    expect(byName(runner.GlobalSecondaryIndexes!)).toEqual(byName(stackTable!.Properties.GlobalSecondaryIndexes));
  });

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
      const runner: Grant[] = localGrants(name, refs, functionRefs);
      expect(allowed(runner), name).toEqual(allowed(stack));
    }
  });

  it('gives each function the variables, timeout and memory of its stack function, pointing at the same resources', () => {
    const runtimes = localRuntimes(refs, functionRefs, sharedEnvironment(built.ward), {
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

  it('lets dossier items through to both stream consumers, and ratings and feedback to the aggregator alone', () => {
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
      rating: [`RATING#${code}`, 'RATING'],
      feedback: ['FEEDBACK#PAKN-0000000001', 'FEEDBACK'],
      feedbackStep: ['FEEDBACK#PAKN-0000000001', 'STEP#0001'],
      filingLimit: ['LIMIT#feedback-ward#0', 'LIMIT'],
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
      expect(through, source.function).toEqual(
        source.function === 'report-aggregator' ? ['dossier', 'rating', 'feedback'] : ['dossier'],
      );
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

  it('retries asynchronous invocations, ages them out and records their failures as the template’s EventInvokeConfig says', () => {
    const configs = Object.values(template.Resources).filter(
      (r: any) => r.Type === 'AWS::Lambda::EventInvokeConfig',
    ) as { Properties: Record<string, any> }[];
    expect(configs).toHaveLength(asyncTargetSettings.length);
    for (const target of asyncTargetSettings) {
      const fn = logicalIdOf(built.stack.functions[target.function].fn);
      const config = configs.find((c) => c.Properties.FunctionName.Ref === fn);
      expect(config?.Properties, target.function).toMatchObject({
        Qualifier: '$LATEST',
        MaximumRetryAttempts: target.retryAttempts,
        MaximumEventAgeInSeconds: target.maxEventAgeSeconds,
      });
      expect(localValue(config!.Properties.DestinationConfig.OnFailure.Destination, 'Arn')).toBe(
        local.queueArns[target.onFailure],
      );
    }
    // Whoever invokes a function asynchronously finds it configured so.
    for (const { target } of asyncInvocations) expect(asyncTargetSettings.map((t) => t.function)).toContain(target);
  });

  it('has S3 invoke the functions the blueprint’s bucket notifications name, under their prefixes, and no queue', () => {
    const [notifications] = Object.values(template.Resources).filter(
      (r: any) => r.Type === 'Custom::S3BucketNotifications',
    ) as { Properties: Record<string, any> }[];
    const configuration = notifications!.Properties.NotificationConfiguration;
    expect(configuration.QueueConfigurations).toBeUndefined();
    expect(
      (configuration.LambdaFunctionConfigurations as any[]).map((c) => ({
        events: c.Events,
        prefix: c.Filter.Key.FilterRules.find((r: { Name: string }) => r.Name === 'prefix').Value,
        function: localValue(c.LambdaFunctionArn, 'Arn'),
      })),
    ).toEqual(
      bucketNotifications.map((n) => ({
        events: ['s3:ObjectCreated:*'],
        prefix: n.prefix,
        function: functionRefs[n.function].arn,
      })),
    );
    // The local runner's S3 bridge invokes these too, with retries and an on-failure queue of their own.
    for (const n of bucketNotifications) expect(asyncTargetSettings.map((t) => t.function)).toContain(n.function);
  });
});
