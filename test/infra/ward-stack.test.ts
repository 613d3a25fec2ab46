import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, queueConsumers, queues, routes, schedules, streamConsumers, table } from '../../shared/blueprint.ts';
import { sampleStack } from '../support/stack.ts';

let template: Template;
let built: ReturnType<typeof sampleStack>;

beforeAll(() => {
  built = sampleStack();
  built.app.synth(); // runs cdk-nag; throws on any unacknowledged finding
  template = Template.fromStack(built.stack);
});

type Resource = { Properties: Record<string, any> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
const roleOf = (name: keyof typeof functions) => built.stack.resolve((built.stack.functions[name].role.node.defaultChild as any).logicalId) as string;
function statementsOf(name: keyof typeof functions) {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleOf(name)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
}
const actionsOf = (name: keyof typeof functions) => statementsOf(name).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('the ward stack', () => {
  it('keeps dossiers in one table: on demand, encrypted, recoverable, protected, streamed, with the blueprint’s indexes', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: table.timeToLive, Enabled: true },
      }),
    });
    const [tableResource] = resources('AWS::DynamoDB::Table');
    expect(tableResource!.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName).sort()).toEqual(
      table.indexes.map((i) => i.name).sort(),
    );
  });

  it('keeps documents private: public access blocked, TLS only, versioned, encrypted, access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: Match.anyValue(),
      LoggingConfiguration: Match.anyValue(),
    });
    for (const policy of resources('AWS::S3::BucketPolicy')) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('gives every queue of the blueprint a dead-letter queue, encryption and TLS', () => {
    const withRedrive = resources('AWS::SQS::Queue').filter((q) => q.Properties.RedrivePolicy);
    expect(withRedrive).toHaveLength(Object.keys(queues).length);
    for (const queue of resources('AWS::SQS::Queue')) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const fifo = withRedrive.filter((q) => q.Properties.FifoQueue);
    expect(fifo).toHaveLength(Object.values(queues).filter((q) => q.fifo).length);
    expect(fifo[0]!.Properties.RedrivePolicy.maxReceiveCount).toBe(queues.portalSync.maxReceiveCount);
    expect(resources('AWS::SQS::QueuePolicy').length).toBeGreaterThanOrEqual(Object.keys(queues).length * 2);
  });

  it('runs each function of the blueprint on nodejs24.x, arm64, traced, with a role of its own and no managed policy', () => {
    const fns = resources('AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs24.x');
    expect(fns).toHaveLength(Object.keys(functions).length);
    for (const fn of fns) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    const roles = new Set(fns.map((f) => JSON.stringify(f.Properties.Role)));
    expect(roles.size).toBe(fns.length);
    for (const name of Object.keys(functions) as (keyof typeof functions)[]) {
      const role = template.toJSON().Resources[roleOf(name)];
      expect(role.Properties.ManagedPolicyArns, name).toBeUndefined();
    }
  });

  it('grants each function only what it touches', () => {
    expect(actionsOf('health').filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
    expect(actionsOf('dossier-read')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('dossier-actions')).toContain('dynamodb:UpdateItem');
    // Only the functions that query indexes may, and only the named ones.
    const indexResources = (name: keyof typeof functions) => JSON.stringify(statementsOf(name).map((s) => s.Resource)).match(/\/index\/[^"]*/g) ?? [];
    expect(indexResources('dossier-intake')).toEqual([]);
    expect(indexResources('deadline-watch').sort()).toEqual(table.indexes.map((i) => `/index/${i.name}`).sort());
    expect(actionsOf('portal-sync').filter((a) => a.startsWith('dynamodb:') || a.startsWith('s3:'))).toEqual([]);
    // The check reads and deletes the exact version an upload event names; it can neither write nor hide objects.
    expect(actionsOf('document-verify').filter((a) => a.startsWith('s3:')).sort()).toEqual(['s3:DeleteObjectVersion', 's3:GetObjectVersion']);
    expect(actionsOf('document-upload').filter((a) => a.startsWith('s3:'))).toEqual(['s3:PutObject']);
    // Signing stores the upload's record: a put, and no update or delete of anything.
    const dynamoWrites = (name: keyof typeof functions) =>
      actionsOf(name).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)).sort();
    expect(dynamoWrites('document-upload')).toEqual(['dynamodb:PutItem']);
    for (const name of ['document-upload', 'document-verify'] as const) {
      const onObjects = statementsOf(name).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
      expect(JSON.stringify(onObjects.map((s) => s.Resource)), name).toContain('/dossiers/*');
    }
  });

  it('serves every route of the blueprint, with the JWT authorizer on all but the public ones', () => {
    const apiRoutes = resources('AWS::ApiGatewayV2::Route');
    expect(apiRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(Object.keys(routes).sort());
    for (const route of apiRoutes) {
      const spec = routes[route.Properties.RouteKey as keyof typeof routes];
      expect(route.Properties.AuthorizationType, route.Properties.RouteKey).toBe('public' in spec.access ? 'NONE' : 'JWT');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }) });
  });

  it('has a user pool with the staff groups and MFA, and a client-credentials client per portal', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    expect(resources('AWS::Cognito::UserPoolGroup').map((g) => g.Properties.GroupName).sort()).toEqual(['leader', 'officer', 'specialist']);
    const portalClients = resources('AWS::Cognito::UserPoolClient').filter((c) => c.Properties.AllowedOAuthFlows?.includes('client_credentials'));
    expect(portalClients).toHaveLength(built.ward.portals.length);
  });

  it('wires stream consumers with partial batch failures, bisection and an on-failure queue; queue consumers likewise', () => {
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    const streams = mappings.filter((m) => m.Properties.StartingPosition === 'TRIM_HORIZON');
    expect(streams).toHaveLength(streamConsumers.length);
    for (const m of streams) {
      expect(m.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], BisectBatchOnFunctionError: true });
      expect(m.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
    }
    const sqs = mappings.filter((m) => !m.Properties.StartingPosition);
    expect(sqs).toHaveLength(queueConsumers.length);
    for (const m of sqs) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('runs the deadline watch on its schedule and alarms on every dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: `rate(${schedules[0].everyMinutes} minutes)` });
    expect(resources('AWS::CloudWatch::Alarm')).toHaveLength(Object.keys(queues).length);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('passes, and every acknowledged finding says why', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
            acknowledged.push({ path: construct.node.path, id, reason });
          }
        }
      }
      construct.node.children.forEach(visit);
    };
    visit(built.stack);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(30);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const { app, stack } = sampleStack();
    new Role(stack, 'Careless', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});
