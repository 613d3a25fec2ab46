import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { monthlyBill, templateInventory } from '../../bench/cost-model.ts';
import { ITERATOR_AGE_ALARM_MS } from '../../infra/constructs/alarms.ts';
import {
  deliveryListAttributes,
  dossierSummaryAttributes,
  functions,
  queueConsumers,
  queues,
  schedules,
  streamConsumers,
  table,
  wardKey,
} from '../../shared/blueprint/resources.ts';
import { routes } from '../../shared/blueprint/routes.ts';
import { parseWardConfig, type WardConfig } from '../../shared/config/ward.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { sampleStack } from '../support/stack.ts';

let template: Template;
let built: ReturnType<typeof sampleStack>;

// Synthesizing with cdk-nag takes several seconds on a shared machine, past vitest's default hook timeout.
beforeAll(() => {
  built = sampleStack();
  built.app.synth(); // runs cdk-nag; throws on any unacknowledged finding
  template = Template.fromStack(built.stack);
}, 120_000);

type Resource = { Properties: Record<string, any> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
const roleOf = (name: keyof typeof functions) =>
  built.stack.resolve((built.stack.functions[name].role.node.defaultChild as any).logicalId) as string;
function statementsOf(name: keyof typeof functions) {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleOf(name)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
}
const logicalIdOf = (construct: IConstruct) =>
  built.stack.resolve((construct.node.defaultChild as any).logicalId) as string;
const ref = (construct: IConstruct) => ({ Ref: logicalIdOf(construct) });
/** The blueprint's functions (the ward key's deploy-time generator is not one). */
const blueprintFunctions = () => {
  const roles = new Set((Object.keys(functions) as (keyof typeof functions)[]).map(roleOf));
  return resources('AWS::Lambda::Function').filter((f) => roles.has(f.Properties.Role?.['Fn::GetAtt']?.[0]));
};
const actionsOf = (name: keyof typeof functions) =>
  statementsOf(name).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

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
    expect(
      tableResource!.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName).sort(),
    ).toEqual(table.indexes.map((i) => i.name).sort());
  });

  it('projects into each index only what its queries read, so an entry costs one write unit, not the item’s', () => {
    const [tableResource] = resources('AWS::DynamoDB::Table');
    const projections = Object.fromEntries(
      tableResource!.Properties.GlobalSecondaryIndexes.map(
        (i: { IndexName: string; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }) => [
          i.IndexName,
          i.Projection,
        ],
      ),
    );
    const worklist = {
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: [...dossierSummaryAttributes],
    };
    expect(projections).toEqual({
      byStatusDue: worklist,
      byStatusFiled: worklist,
      allByDue: worklist,
      allByFiled: worklist,
      byAlertDue: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['code', 'dueAt'] },
      byDeliveryDue: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['code'] },
      byDeliveryState: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...deliveryListAttributes] },
    });
    // Nothing personal beyond the applicant's name, and nothing the dossier view alone shows.
    for (const attribute of ['applicant', 'components', 'pinHash', 'apologies', 'reason'])
      expect(dossierSummaryAttributes).not.toContain(attribute);
    // DynamoDB's limit: 100 projected attributes over all indexes.
    expect(
      Object.values(projections).reduce((n: number, p: any) => n + (p.NonKeyAttributes?.length ?? 0), 0),
    ).toBeLessThanOrEqual(100);
  });

  it('keeps documents private: public access blocked, TLS only, versioned, encrypted, access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: Match.anyValue(),
    });
    // The documents bucket has a policy of its own, and like every bucket's it refuses plain HTTP.
    const policies = resources('AWS::S3::BucketPolicy');
    expect(policies.map((p) => p.Properties.Bucket)).toContainEqual(ref(built.stack.storage.bucket));
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('moves the dossiers’ documents to Standard-IA after the days the ward configures (90 by default)', () => {
    const transitionsOf = (t: Template) =>
      (Object.values(t.findResources('AWS::S3::Bucket')) as Resource[])
        .filter((b) => b.Properties.VersioningConfiguration)
        .flatMap((b) => b.Properties.LifecycleConfiguration.Rules as Record<string, any>[])
        .filter((r) => r.Transitions)
        .map((r) => ({ prefix: r.Prefix, status: r.Status, transitions: r.Transitions }));
    expect(transitionsOf(template)).toEqual([
      {
        prefix: 'dossiers/',
        status: 'Enabled',
        transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }],
      },
    ]);
    const later = parseWardConfig({ ...readWardFile('sample'), documents: { infrequentAccessAfterDays: 180 } });
    expect(transitionsOf(Template.fromStack(sampleStack({ ward: later }).stack))[0]!.transitions).toEqual([
      { StorageClass: 'STANDARD_IA', TransitionInDays: 180 },
    ]);
    // S3 refuses a transition to Standard-IA before 30 days: the configuration says so, naming the field.
    for (const days of [29, 0, 30.5])
      expect(
        () => parseWardConfig({ ...readWardFile('sample'), documents: { infrequentAccessAfterDays: days } }),
        `${days}`,
      ).toThrow(/documents\.infrequentAccessAfterDays/);
  });

  it('keeps the dossiers’ documents for the ward’s retention (ten years by default), and old versions 90 days', () => {
    const rulesOf = (t: Template) =>
      (Object.values(t.findResources('AWS::S3::Bucket')) as Resource[])
        .filter((b) => b.Properties.VersioningConfiguration)
        .flatMap((b) => b.Properties.LifecycleConfiguration.Rules as Record<string, any>[]);
    const expiryOf = (t: Template) =>
      rulesOf(t)
        .filter((r) => r.ExpirationInDays !== undefined)
        .map((r) => ({ prefix: r.Prefix, days: r.ExpirationInDays }));
    // Years of 365¼ days: ten years are never cut short by their leap days.
    expect(expiryOf(template)).toEqual([{ prefix: 'dossiers/', days: 3653 }]);
    const sample = readWardFile('sample') as Record<string, any>;
    const seven = parseWardConfig({ ...sample, documents: { retentionYears: 7 } });
    expect(expiryOf(Template.fromStack(sampleStack({ ward: seven }).stack))).toEqual([
      { prefix: 'dossiers/', days: 2557 },
    ]);
    expect(rulesOf(template)).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: 90 },
        ExpiredObjectDeleteMarker: true,
        Status: 'Enabled',
      }),
    );
    for (const years of [0, 101, 2.5])
      expect(() => parseWardConfig({ ...sample, documents: { retentionYears: years } }), `${years}`).toThrow(
        /documents\.retentionYears/,
      );
    // S3 refuses an expiry before the transition; the configuration says so first, naming the field.
    expect(() =>
      parseWardConfig({ ...sample, documents: { retentionYears: 1, infrequentAccessAfterDays: 400 } }),
    ).toThrow(/kept longer than they stay in Standard[\s\S]*documents\.retentionYears/);
  });

  it('lets the ward’s staff web origins upload and download from a browser, and nobody when it names none', () => {
    const corsOf = (t: Template) =>
      (Object.values(t.findResources('AWS::S3::Bucket')) as Resource[])
        .map((b) => b.Properties.CorsConfiguration)
        .filter(Boolean);
    expect(corsOf(template)).toEqual([]);
    const sample = readWardFile('sample') as Record<string, any>;
    const origins = ['https://motcua.phulien.example.vn', 'https://staff.example.vn:8443'];
    const ward = parseWardConfig({ ...sample, documents: { corsOrigins: origins } });
    expect(corsOf(Template.fromStack(sampleStack({ ward }).stack))).toEqual([
      {
        CorsRules: [
          {
            AllowedOrigins: origins,
            AllowedMethods: ['PUT', 'GET'],
            // What the presigned PUT's signature covers and a browser may set; it sets Content-Length itself.
            AllowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
            ExposedHeaders: ['etag'],
            MaxAge: 3600,
          },
        ],
      },
    ]);
    const refused = [
      ['http://staff.example.vn'],
      ['https://staff.example.vn/'],
      ['https://staff.example.vn/app'],
      ['*'],
      ['https://*.example.vn'],
      ['https://Staff.example.vn'],
      ['https://staff.example.vn', 'https://staff.example.vn'],
      Array.from({ length: 21 }, (_, i) => `https://staff${i}.example.vn`),
    ];
    for (const corsOrigins of refused)
      expect(() => parseWardConfig({ ...sample, documents: { corsOrigins } }), corsOrigins.join(' ')).toThrow(
        /documents\.corsOrigins/,
      );
  });

  it('deletes no document through the API: no DELETE route, and no role may delete but the check of an upload', () => {
    expect(Object.keys(routes).filter((key) => key.startsWith('DELETE '))).toEqual([]);
    const destructive = (action: string) => /^s3:(\*|Delete|PutLifecycle|PutBucket)/.test(action);
    const deleting = (name: keyof typeof functions) =>
      statementsOf(name).filter((s) => [s.Action].flat().some(destructive));
    for (const name of Object.keys(functions) as (keyof typeof functions)[]) {
      if (name === 'document-verify') continue;
      expect(deleting(name), name).toEqual([]);
    }
    // The check removes a rejected upload (the exact version the event names), under dossiers/ only, and nothing
    // else: no bucket-wide action, no other prefix.
    const verify = deleting('document-verify');
    expect(verify.length).toBeGreaterThan(0);
    for (const action of verify.flatMap((s) => [s.Action].flat()).filter(destructive))
      expect(['s3:DeleteObject', 's3:DeleteObjectVersion']).toContain(action);
    for (const statement of verify) {
      const onObjects = [statement.Resource].flat();
      expect(onObjects).toHaveLength(1);
      expect(JSON.stringify(onObjects[0])).toMatch(/\/dossiers\/\*"\]\]\}$/);
    }
    // Nor does the bucket's own policy let anyone delete.
    for (const policy of resources('AWS::S3::BucketPolicy'))
      for (const statement of policy.Properties.PolicyDocument.Statement)
        if (statement.Effect === 'Allow') expect(JSON.stringify(statement.Action)).not.toMatch(/Delete|s3:\*/);
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

  it('runs each function of the blueprint on nodejs24.x, arm64, with a role of its own and no managed policy', () => {
    const fns = blueprintFunctions();
    expect(fns).toHaveLength(Object.keys(functions).length);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      // Neither X-Ray nor source maps: each costs every cold start more than it gives (DEVELOPERS.md).
      expect(fn.Properties.TracingConfig).toBeUndefined();
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
    const roles = new Set(fns.map((f) => JSON.stringify(f.Properties.Role)));
    expect(roles.size).toBe(fns.length);
    for (const name of Object.keys(functions) as (keyof typeof functions)[]) {
      const role = template.toJSON().Resources[roleOf(name)];
      expect(role.Properties.ManagedPolicyArns, name).toBeUndefined();
    }
  });

  it('grants each function only what it touches', () => {
    // The health probe reads one item of the table and can do nothing else there.
    expect(actionsOf('health').filter((a) => !a.startsWith('logs:'))).toEqual(['dynamodb:GetItem']);
    const healthTable = statementsOf('health').filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(healthTable.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(built.stack.storage.table), 'Arn'] },
    ]);
    expect(actionsOf('dossier-read')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('dossier-actions')).toContain('dynamodb:UpdateItem');
    // Only the functions that query indexes may, and only the named ones.
    const indexResources = (name: keyof typeof functions) =>
      JSON.stringify(statementsOf(name).map((s) => s.Resource)).match(/\/index\/[^"]*/g) ?? [];
    expect(indexResources('dossier-intake')).toEqual([]);
    expect(indexResources('deadline-watch').sort()).toEqual(table.indexes.map((i) => `/index/${i.name}`).sort());
    // portal-sync reads its deliveries and writes nothing but them (DELIVERY#), and touches no document.
    expect(actionsOf('portal-sync').filter((a) => a.startsWith('s3:'))).toEqual([]);
    const deliveryWrites = statementsOf('portal-sync').filter((s) => [s.Action].flat().includes('dynamodb:UpdateItem'));
    expect(JSON.stringify(deliveryWrites)).toContain('"dynamodb:LeadingKeys":["DELIVERY#*"]');
    // The check reads and deletes the exact version an upload event names; it can neither write nor hide objects.
    expect(
      actionsOf('document-verify')
        .filter((a) => a.startsWith('s3:'))
        .sort(),
    ).toEqual(['s3:DeleteObjectVersion', 's3:GetObjectVersion']);
    // Signing: uploads (a put) and downloads of verified documents (a get); never a delete.
    expect(
      actionsOf('document-upload')
        .filter((a) => a.startsWith('s3:'))
        .sort(),
    ).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject']);
    // Signing stores the upload's record (a put), a reuse marks its component (an update); no delete of anything.
    const dynamoWrites = (name: keyof typeof functions) =>
      actionsOf(name)
        .filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))
        .sort();
    expect(dynamoWrites('document-upload')).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    for (const name of ['document-upload', 'document-verify'] as const) {
      const onObjects = statementsOf(name).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
      expect(JSON.stringify(onObjects.map((s) => s.Resource)), name).toContain('/dossiers/*');
    }
  });

  it('grants nothing on every resource (*) but the actions that accept no resource-level permission', () => {
    const fnOfRole = new Map(
      (Object.keys(functions) as (keyof typeof functions)[]).map((name) => [roleOf(name), name]),
    );
    const isStreamConsumer = (name: string) => streamConsumers.some((c) => c.function === name);
    const policies = resources('AWS::IAM::Policy');
    expect(policies.length).toBeGreaterThan(Object.keys(functions).length - 1);
    for (const policy of policies) {
      const [role, ...more] = (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref);
      expect(more).toEqual([]);
      const name = fnOfRole.get(role!);
      const mayHaveEverything = name && isStreamConsumer(name) ? ['dynamodb:ListStreams'] : [];
      for (const statement of policy.Properties.PolicyDocument.Statement as Record<string, any>[]) {
        expect(statement.Effect).toBe('Allow');
        const on = [statement.Resource].flat();
        const actions = [statement.Action].flat() as string[];
        for (const action of actions) expect(action, `${name ?? role}: an action with a wildcard`).not.toMatch(/\*/);
        if (on.includes('*')) {
          for (const action of actions)
            expect(mayHaveEverything, `${name ?? role} has ${action} on *`).toContain(action);
          continue;
        }
        // Any other wildcard is a prefix of the function's own: its log group's streams, the dossiers' documents; or,
        // for the digest schedule's role, the versions of the function it invokes.
        for (const resource of on.filter((r) => JSON.stringify(r).includes('*'))) {
          // A role of no blueprint function: the ward key generator's (its logs) or the digest schedule's.
          const own = name ? built.stack.functions[name].fn : built.stack.storage.secrets.pin.generator;
          const logs = logicalIdOf(own.logGroup);
          const digest = { 'Fn::GetAtt': [logicalIdOf(built.stack.functions['deadline-digest'].fn), 'Arn'] };
          expect([
            ...(name ? [] : [{ 'Fn::Join': ['', [digest, ':*']] }]),
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logs, 'Arn'] }, ':*']] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(built.stack.storage.bucket), 'Arn'] }, '/dossiers/*']] },
          ]).toContainEqual(resource);
        }
      }
    }
    // The roles have no inline policies of their own to hide a grant in.
    for (const role of resources('AWS::IAM::Role')) expect(role.Properties.Policies).toBeUndefined();
  });

  it('fails the synth on any other action granted on every resource to a function, though cdk-nag names it only Resource::*', () => {
    for (const [name, action] of [
      ['health', 's3:GetObject'],
      // A stream consumer's ListStreams is no licence for the others.
      ['health', 'dynamodb:ListStreams'],
      ['report-aggregator', 'dynamodb:Scan'],
    ] as const) {
      const { app, stack } = sampleStack();
      stack.functions[name].role.addToPolicy(new PolicyStatement({ actions: [action], resources: ['*'] }));
      expect(() => app.synth(), `${name} ${action}`).toThrow(`${name}: ${action} is granted on every resource (*)`);
    }
  });

  it('serves every route of the blueprint by its function, with the Lambda authorizer on all but the public ones', () => {
    const apiRoutes = resources('AWS::ApiGatewayV2::Route');
    expect(apiRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(Object.keys(routes).sort());
    const all = template.toJSON().Resources as Record<string, Resource & { Type: string }>;
    const [authorizer, ...others] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(others).toEqual([]);
    const permissions = resources('AWS::Lambda::Permission');
    for (const route of apiRoutes) {
      const key = route.Properties.RouteKey as keyof typeof routes;
      const spec = routes[key];
      expect(route.Properties.AuthorizationType, key).toBe('public' in spec.access ? 'NONE' : 'CUSTOM');
      // The local gateway runs the authorizer function on exactly these routes: each names the one authorizer.
      expect(route.Properties.AuthorizerId, key).toEqual('public' in spec.access ? undefined : { Ref: authorizer });
      // The route reaches its own function, which API Gateway may invoke for this path.
      const integration = route.Properties.Target['Fn::Join'][1][1].Ref as string;
      const fn = { 'Fn::GetAtt': [logicalIdOf(built.stack.functions[spec.function].fn), 'Arn'] };
      expect(all[integration]!.Properties, key).toMatchObject({ IntegrationType: 'AWS_PROXY', IntegrationUri: fn });
      const path = key.split(' ')[1]!;
      expect(
        permissions.filter(
          (p) =>
            JSON.stringify(p.Properties.FunctionName) === JSON.stringify(fn) &&
            p.Properties.Principal === 'apigateway.amazonaws.com' &&
            p.Properties.SourceArn['Fn::Join'][1].at(-1) === `/*/*${path}`,
        ).length,
        // One per route: two methods of one path served by one function (the documents of a dossier) give two.
        key,
      ).toBeGreaterThanOrEqual(1);
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('checks tokens with the blueprint’s authorizer function, its answers cached five minutes per token and route', () => {
    const [authorizer, ...others] = resources('AWS::ApiGatewayV2::Authorizer');
    expect(others).toEqual([]);
    const fn = logicalIdOf(built.stack.functions.authorizer.fn);
    expect(authorizer!.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      // The route is part of the cache key: whether a token passes depends on the route.
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
      AuthorizerResultTtlInSeconds: 300,
    });
    expect(JSON.stringify(authorizer!.Properties.AuthorizerUri)).toContain(fn);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
    // No route asks API Gateway for OAuth scopes: the authorizer keeps each route's gate.
    for (const route of resources('AWS::ApiGatewayV2::Route'))
      expect(route.Properties.AuthorizationScopes).toBeUndefined();
  });

  it('trusts staff tokens of this user pool’s staff app client only: the authorizer alone knows them', () => {
    const { api } = built.stack;
    for (const fn of blueprintFunctions()) {
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      if (fn.Properties.Description !== functions.authorizer.description) {
        expect(Object.keys(variables).filter((v) => /STAFF|CLIENT/.test(v))).toEqual([]);
        continue;
      }
      expect(variables.MOTCUA_STAFF_CLIENT).toEqual(ref(api.staffClient));
      expect(variables.MOTCUA_STAFF_ISSUER).toEqual({
        'Fn::Join': ['', [`https://cognito-idp.${built.ward.deploy.region}.amazonaws.com/`, ref(api.userPool)]],
      });
    }
  });

  it('has a user pool with the staff groups and MFA, and no app client but the staff app’s: portals sign their own tokens', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    expect(
      resources('AWS::Cognito::UserPoolGroup')
        .map((g) => g.Properties.GroupName)
        .sort(),
    ).toEqual(['leader', 'officer', 'specialist']);
    expect(Object.keys(template.findResources('AWS::Cognito::UserPoolClient'))).toEqual([
      logicalIdOf(built.stack.api.staffClient),
    ]);
    expect(resources('AWS::Cognito::UserPoolResourceServer')).toEqual([]);
  });

  it('refuses to synthesize a ward with a portal that has no registered key', () => {
    const sample = readWardFile('sample');
    const ward = parseWardConfig({ ...sample, portals: [...sample.portals, { id: 'dvc-tinh', name: 'Cổng tỉnh' }] });
    expect(() => sampleStack({ ward })).toThrow(/portal dvc-tinh \(portals\[\]\.keys\)/);
  });

  it('keeps the staff pool on the Lite plan, the cheapest with all it uses, and says why not Plus', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'LITE',
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    // Nothing of a higher plan: no threat protection, no managed login (version 2), no password history.
    const [pool] = resources('AWS::Cognito::UserPool');
    expect(pool!.Properties.UserPoolAddOns).toBeUndefined();
    expect(pool!.Properties.Policies.PasswordPolicy.PasswordHistorySize).toBeUndefined();
    for (const domain of resources('AWS::Cognito::UserPoolDomain')) {
      expect(domain.Properties.ManagedLoginVersion).toBe(1);
    }
    const acknowledged = built.stack.api.userPool.node.metadata.find(
      (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    )?.data as Record<string, string> | undefined;
    expect(acknowledged?.['Annotation::AwsSolutions-COG8']).toMatch(/threat protection/);
  });

  it('wires stream consumers with partial batch failures, bisection and an on-failure queue; queue consumers likewise', () => {
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    const streams = mappings.filter((m) => m.Properties.StartingPosition === 'TRIM_HORIZON');
    expect(streams).toHaveLength(streamConsumers.length);
    for (const m of streams) {
      expect(m.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
      });
      expect(m.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
    }
    const sqs = mappings.filter((m) => !m.Properties.StartingPosition);
    expect(sqs).toHaveLength(queueConsumers.length);
    for (const m of sqs) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('has no queue uploads or alerts go through, and exactly one queue an event source mapping polls: the FIFO one', () => {
    const queueIds = Object.keys(template.findResources('AWS::SQS::Queue'));
    const described = (words: RegExp) =>
      Object.values(queues).filter((q) => words.test(q.description) && !/on-failure/.test(q.description));
    expect(described(/upload|alert/i)).toEqual([]);
    const polled = resources('AWS::Lambda::EventSourceMapping')
      .map((m) => m.Properties.EventSourceArn?.['Fn::GetAtt']?.[0] as string | undefined)
      .filter((id): id is string => id !== undefined && queueIds.includes(id));
    expect(polled).toEqual([logicalIdOf(built.stack.storage.queues.portalSync)]);
    expect(template.toJSON().Resources[polled[0]!].Properties.FifoQueue).toBe(true);
    // S3 invokes document-verify itself, and the watch alert-dispatch, with no queue between.
    const notifications = resources('Custom::S3BucketNotifications')[0]!.Properties.NotificationConfiguration;
    expect(notifications.QueueConfigurations).toBeUndefined();
    expect(notifications.LambdaFunctionConfigurations).toHaveLength(1);
    expect(resources('AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 's3.amazonaws.com')).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          FunctionName: { 'Fn::GetAtt': [logicalIdOf(built.stack.functions['document-verify'].fn), 'Arn'] },
          SourceAccount: expect.anything(),
        }),
      }),
    ]);
  });

  it('retries the asynchronous invocations twice, then records them on a queue nothing polls, under an alarm', () => {
    const configs = resources('AWS::Lambda::EventInvokeConfig');
    expect(configs.map((c) => c.Properties.FunctionName).sort((a, b) => a.Ref.localeCompare(b.Ref))).toEqual(
      (['alert-dispatch', 'document-verify'] as const)
        .map((name) => ({ Ref: logicalIdOf(built.stack.functions[name].fn) }))
        .sort((a, b) => a.Ref.localeCompare(b.Ref)),
    );
    const failures = { 'Fn::GetAtt': [logicalIdOf(built.stack.storage.queues.invokeFailures), 'Arn'] };
    for (const c of configs) {
      expect(c.Properties.MaximumRetryAttempts).toBe(2);
      expect(c.Properties.DestinationConfig.OnFailure.Destination).toEqual(failures);
    }
    expect(queueConsumers.some((c) => (c.queue as string) === 'invokeFailures')).toBe(false);
    const watched = resources('AWS::CloudWatch::Alarm').filter((a) =>
      (a.Properties.Dimensions as { Name: string; Value: unknown }[] | undefined)?.some(
        (d) =>
          d.Name === 'QueueName' &&
          JSON.stringify(d.Value) ===
            JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(built.stack.storage.queues.invokeFailures), 'QueueName'] }),
      ),
    );
    expect(watched).toHaveLength(1);
  });

  it('runs each schedule’s function on its rate, which EventBridge may invoke, retrying twice', () => {
    const rules = template.findResources('AWS::Events::Rule');
    const onRate = schedules.filter((s) => 'everyMinutes' in s);
    expect(Object.keys(rules)).toHaveLength(onRate.length);
    for (const schedule of onRate) {
      const fn = { 'Fn::GetAtt': [logicalIdOf(built.stack.functions[schedule.function].fn), 'Arn'] };
      const [rule, ...others] = Object.entries(rules).filter(([, r]) =>
        (r.Properties.Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify(fn)),
      );
      expect(others, schedule.name).toEqual([]);
      expect(rule![1].Properties).toMatchObject({
        ScheduleExpression: `rate(${schedule.everyMinutes} ${schedule.everyMinutes === 1 ? 'minute' : 'minutes'})`,
        State: 'ENABLED',
        Targets: [{ Arn: fn, RetryPolicy: { MaximumRetryAttempts: 2 } }],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: fn,
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [rule![0], 'Arn'] },
      });
    }
  });
});

describe('the staff app client', () => {
  const staffClientOf = (ward: WardConfig) => {
    const { stack } = sampleStack({ ward });
    const clients = Template.fromStack(stack).findResources('AWS::Cognito::UserPoolClient');
    return clients[stack.resolve((stack.api.staffClient.node.defaultChild as any).logicalId)]!.Properties as Record<
      string,
      any
    >;
  };
  const withStaffApp = (staffApp: unknown) => parseWardConfig({ ...readWardFile('sample'), staffApp });

  it('allows the authorization-code flow only, to the ward’s own URLs, with no secret and no implicit grant', () => {
    const ward = withStaffApp({
      callbackUrls: ['https://motcua.example.gov.vn/cb', 'http://localhost:5173/cb'],
      logoutUrls: ['https://motcua.example.gov.vn/'],
    });
    const client = staffClientOf(ward);
    expect(client).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['https://motcua.example.gov.vn/cb', 'http://localhost:5173/cb'],
      LogoutURLs: ['https://motcua.example.gov.vn/'],
      SupportedIdentityProviders: ['COGNITO'],
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    expect(JSON.stringify(client)).not.toMatch(/implicit|example\.com/);
  });

  it('has no hosted UI or OAuth at all when the ward names no staff app URLs: SRP sign-in only', () => {
    const { staffApp: _none, ...rest } = readWardFile('sample');
    const client = staffClientOf(parseWardConfig(rest));
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    for (const key of ['AllowedOAuthFlows', 'AllowedOAuthScopes', 'CallbackURLs', 'LogoutURLs'])
      expect(client[key], key).toBeUndefined();
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.GenerateSecret).toBe(false);
  });

  it('accepts only https redirect URLs, or http to localhost, without a fragment', () => {
    for (const bad of [
      'http://motcua.example.gov.vn/cb',
      'http://localhost.example.com/cb',
      'http://127.0.0.1:5173/cb',
      'https://motcua.example.gov.vn/cb#x',
      'javascript:alert(1)',
    ]) {
      expect(() => withStaffApp({ callbackUrls: [bad] }), bad).toThrow(/staffApp/);
      expect(() => withStaffApp({ callbackUrls: ['https://ok.example.gov.vn/'], logoutUrls: [bad] }), bad).toThrow(
        /staffApp/,
      );
    }
    expect(() => withStaffApp({ callbackUrls: [] })).toThrow(/staffApp/);
    expect(withStaffApp({ callbackUrls: ['http://localhost:5173/cb'] }).staffApp).toEqual({
      callbackUrls: ['http://localhost:5173/cb'],
      logoutUrls: [],
    });
  });
});

describe('the ward key', () => {
  const parameterName = '/motcua/sample/ward-key';
  const parameterArn = `arn:aws:ssm:ap-southeast-1:111111111111:parameter${parameterName}`;
  const portalSecretArn =
    'arn:aws:ssm:ap-southeast-1:111111111111:parameter/motcua/sample/portals/dvcqg/webhook-secret';
  /** A statement's resources as ARNs, the partition written out. */
  const arnsOf = (resource: unknown): string[] =>
    [resource]
      .flat()
      .map((r: any) =>
        typeof r === 'string'
          ? r
          : (r['Fn::Join'][1] as unknown[])
              .map((part: any) => (part?.Ref === 'AWS::Partition' ? 'aws' : part))
              .join(''),
      );
  // The ward key's parameter; the same generator also makes each webhook portal's secret (below).
  const keyResources = (t: Template) =>
    Object.entries(t.findResources('Custom::WardKeyParameter')).filter(
      ([, r]) => (r as any).Properties.ParameterName === parameterName,
    );
  const generatorStatements = (t: Template) => {
    const [[, key]] = keyResources(t) as [[string, any]];
    const generator = t.toJSON().Resources[key.Properties.ServiceToken['Fn::GetAtt'][0]];
    const role = generator.Properties.Role['Fn::GetAtt'][0];
    expect(generator.Properties.Runtime).toBe('nodejs24.x');
    return (Object.values(t.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  };

  it('is an SSM parameter made at deploy time by a custom resource, not a Secrets Manager secret, its value nowhere in the template', () => {
    expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
    const keys = keyResources(template);
    expect(keys).toHaveLength(1);
    const [, key] = keys[0] as [string, any];
    // Retained, as the table is: its PIN hashes depend on it.
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(Object.keys(key.Properties).sort()).toEqual(['ParameterName', 'ServiceToken']);
    expect(key.Properties.ParameterName).toBe(parameterName);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/SecureString|GenerateSecretString/);
  });

  it('has a generator that may put that one parameter and the portals’ secrets, nothing else (no secret to copy by default)', () => {
    const statements = generatorStatements(template).filter((s) => ![s.Action].flat()[0]!.startsWith('logs:'));
    expect(statements.map((s) => ({ actions: [s.Action].flat(), resources: arnsOf(s.Resource).sort() }))).toEqual([
      { actions: ['ssm:PutParameter'], resources: [portalSecretArn, parameterArn].sort() },
    ]);
  });

  it('makes the webhook secret of each portal taking status changes, retained, readable by portal-sync alone', () => {
    const portalSecrets = Object.values(template.findResources('Custom::WardKeyParameter')).filter(
      (r) => (r as any).Properties.ParameterName !== parameterName,
    ) as any[];
    expect(portalSecrets).toHaveLength(1);
    expect(portalSecrets[0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(portalSecrets[0].Properties).toMatchObject({
      ParameterName: '/motcua/sample/portals/dvcqg/webhook-secret',
      Format: 'webhook-secret',
    });
    const readers = (Object.keys(functions) as (keyof typeof functions)[]).filter((name) =>
      statementsOf(name).some(
        (s) => [s.Action].flat().includes('ssm:GetParameter') && arnsOf(s.Resource).includes(portalSecretArn),
      ),
    );
    expect(readers).toEqual(['portal-sync']);
  });

  it('copies the secret the ward configuration names, with a grant to read that one secret', () => {
    const oldSecret = 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:motcua-sample-StoragePinKey-AbCdEf';
    const sample = readWardFile('sample');
    const upgraded = parseWardConfig({ ...sample, deploy: { ...sample.deploy, wardKeyFromSecret: oldSecret } });
    const stack = sampleStack({ ward: upgraded });
    stack.app.synth();
    const t = Template.fromStack(stack.stack);
    const [, key] = keyResources(t)[0] as [string, any];
    expect(key.Properties.CopyFromSecret).toBe(oldSecret);
    const statements = generatorStatements(t).filter((s) => ![s.Action].flat()[0]!.startsWith('logs:'));
    expect(statements.map((s) => ({ actions: [s.Action].flat(), resources: arnsOf(s.Resource).sort() }))).toEqual([
      { actions: ['ssm:PutParameter'], resources: [portalSecretArn, parameterArn].sort() },
      { actions: ['secretsmanager:GetSecretValue'], resources: [oldSecret] },
    ]);
    expect(() =>
      parseWardConfig({ ...sample, deploy: { ...sample.deploy, wardKeyFromSecret: 'arn:aws:s3:::a-bucket' } }),
    ).toThrow(/wardKeyFromSecret/);
  });

  it('is billed by the bench, from the template, as one free standard parameter and no secret', () => {
    const inventory = templateInventory(template.toJSON().Resources, [wardKey.resourceType]);
    // The ward key and the sample portal's webhook secret: standard parameters, free.
    expect(inventory).toMatchObject({ secrets: 0, parameters: { standard: 2, advanced: 0 } });
    const bill = monthlyBill(
      [],
      {},
      { ...inventory, customMetrics: 0, staffUsers: 0 },
      {
        idleReceivesPerMinutePerQueue: 0,
        coldStartsCap: 0,
        platformLogBytes: 0,
        logRetentionMonths: 3,
        authorizerCacheHitRatio: 0,
        alarmNotifications: 0,
        tableGb: 0,
      },
    );
    expect(bill.lines.find((l) => l.item === 'standard parameters')).toMatchObject({ quantity: 2, usd: 0 });
    expect(bill.byService['Secrets Manager']).toBe(0);
  });

  it('is read by each function that derives a key with ssm:GetParameter on that one parameter, named in its environment', () => {
    const [[keyId]] = keyResources(template) as [[string, unknown]];
    for (const name of Object.keys(functions) as (keyof typeof functions)[]) {
      const spec = functions[name] as { secrets?: readonly string[] };
      // The portals' webhook secrets are another test's (the ward key section's first).
      const onKey = statementsOf(name).filter(
        (s) =>
          [s.Action].flat().some((a) => /^(ssm|kms|secretsmanager):/.test(a)) &&
          !arnsOf(s.Resource).every((arn) => arn.includes('/portals/')),
      );
      const fn = template.toJSON().Resources[logicalIdOf(built.stack.functions[name].fn)];
      const variables = Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).filter(([v]) =>
        v.startsWith('MOTCUA_SECRET_'),
      );
      if (!spec.secrets) {
        expect(onKey, name).toEqual([]);
        expect(variables, name).toEqual([]);
        continue;
      }
      // One grant, whatever keys it derives; no kms:Decrypt: aws/ssm's key policy allows SSM's use of it.
      expect(
        onKey.map((s) => ({ actions: [s.Action].flat(), resources: arnsOf(s.Resource) })),
        name,
      ).toEqual([{ actions: ['ssm:GetParameter'], resources: [parameterArn] }]);
      expect(Object.fromEntries(variables), name).toEqual(
        Object.fromEntries(spec.secrets.map((secret) => [`MOTCUA_SECRET_${secret.toUpperCase()}`, { Ref: keyId }])),
      );
    }
  });
});

describe('alarms', () => {
  type AlarmResource = {
    Properties: {
      AlarmActions?: unknown[];
      OKActions?: unknown[];
      Namespace: string;
      MetricName: string;
      Dimensions?: { Name: string; Value: unknown }[];
      Statistic?: string;
      Threshold: number;
    };
  };
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as AlarmResource[];
  const topic = () => ref(built.stack.alarms.topic);
  const fnRef = (name: keyof typeof functions) => ref(built.stack.functions[name].fn);
  const kind = (namespace: string, metric: string) =>
    alarms().filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric);
  const dimension = (a: AlarmResource, name: string) => a.Properties.Dimensions?.find((d) => d.Name === name)?.Value;

  it('all notify the ward’s topic, going into alarm and coming back', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm.Properties.AlarmActions).toEqual([topic()]);
      expect(alarm.Properties.OKActions).toEqual([topic()]);
    }
  });

  it('mail the addresses of the ward configuration', () => {
    const subscriptions = resources('AWS::SNS::Subscription').filter(
      (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(topic()),
    );
    expect(subscriptions.map((s) => s.Properties)).toEqual(
      built.ward.operations!.alarmEmails.map((email) => ({ Protocol: 'email', Endpoint: email, TopicArn: topic() })),
    );
  });

  it('are at most ten, the alarms CloudWatch does not charge for in an account', () => {
    expect(alarms().length).toBeLessThanOrEqual(10);
  });

  it('cover every function’s errors and throttles, each stream consumer’s lag, the schedule, the API’s 5xx and the dead letters', () => {
    for (const metric of ['Errors', 'Throttles']) {
      const [only, ...others] = kind('AWS/Lambda', metric);
      expect(others).toEqual([]);
      // No dimension: the sum over every function of the account, each of the ward's among them.
      expect(only!.Properties.Dimensions ?? []).toEqual([]);
      expect(only!.Properties.Statistic).toBe('Sum');
      expect(only!.Properties.Threshold).toBe(0);
    }
    const lag = kind('AWS/Lambda', 'IteratorAge');
    expect(lag.map((a) => dimension(a, 'FunctionName'))).toEqual(streamConsumers.map((c) => fnRef(c.function)));
    for (const a of lag) expect(a.Properties.Threshold).toBe(ITERATOR_AGE_ALARM_MS);
    const rules = template.findResources('AWS::Events::Rule');
    // The rules' schedules, portal-sync's within the status sync's alarm (below); the daily digest's (EventBridge
    // Scheduler) has no alarm of its own: the ten are spent.
    const portalSyncRule = Object.keys(rules).find((id) => id.startsWith('PortalSyncSchedule'))!;
    expect(kind('AWS/Events', 'FailedInvocations').map((a) => dimension(a, 'RuleName'))).toEqual(
      Object.keys(rules)
        .filter((id) => id !== portalSyncRule)
        .map((id) => ({ Ref: id })),
    );
    // The status sync: its schedule failing to run portal-sync, or a delivery failed past the horizon.
    const sync = alarms().filter((a) => JSON.stringify(a).includes('portalDeliveriesFailed'));
    expect(sync).toHaveLength(1);
    const metrics = (
      sync[0]!.Properties as unknown as { Metrics: { Id: string; Expression?: string; MetricStat?: any }[] }
    ).Metrics;
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('FILL(failedRuns, 0) + FILL(failedDeliveries, 0)');
    expect(metrics.find((m) => m.Id === 'failedDeliveries')?.MetricStat.Metric).toEqual({
      Namespace: 'motcua',
      MetricName: 'portalDeliveriesFailed',
      Dimensions: [{ Name: 'service', Value: 'motcua' }],
    });
    expect(metrics.find((m) => m.Id === 'failedRuns')?.MetricStat.Metric.Dimensions).toEqual([
      { Name: 'RuleName', Value: { Ref: portalSyncRule } },
    ]);
    expect(kind('AWS/ApiGateway', '5xx').map((a) => dimension(a, 'ApiId'))).toEqual([ref(built.stack.api.httpApi)]);
    // A consumed queue's failures end in its dead-letter queue; a queue nothing receives from (the stream consumers'
    // on-failure destination) keeps them itself, so its alarm watches it.
    const watched = (Object.keys(queues) as (keyof typeof queues)[]).map((name) => {
      const consumed = queueConsumers.some((c) => c.queue === name);
      const queue = consumed ? built.stack.storage.deadLetterQueues[name] : built.stack.storage.queues[name];
      return { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] };
    });
    const waiting = kind('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
    expect(waiting.map((a) => dimension(a, 'QueueName'))).toEqual(expect.arrayContaining(watched));
    expect(waiting).toHaveLength(Object.keys(queues).length);
  });

  it('watch the stream-failures queue itself: nothing receives from it, so nothing reaches its dead letters', () => {
    expect(queueConsumers.some((c) => (c.queue as string) === 'streamFailures')).toBe(false);
    const queueNames = kind('AWS/SQS', 'ApproximateNumberOfMessagesVisible').map((a) => dimension(a, 'QueueName'));
    expect(queueNames).toContainEqual({
      'Fn::GetAtt': [logicalIdOf(built.stack.storage.queues.streamFailures), 'QueueName'],
    });
  });

  it('go to a topic that requires TLS and that CloudWatch may publish to, for this account’s alarms only', () => {
    const [policy, ...others] = resources('AWS::SNS::TopicPolicy').filter(
      (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([topic()]),
    );
    expect(others).toEqual([]);
    expect(policy!.Properties.Topics).toEqual([topic()]);
    expect(policy!.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Principal: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: topic(),
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${built.ward.deploy.region}:111111111111:alarm:*` },
          },
        }),
      ]),
    );
    // Not under the AWS-managed SNS key, which CloudWatch cannot use (see infra/constructs/alarms.ts).
    const alarmTopic = template.findResources('AWS::SNS::Topic')[logicalIdOf(built.stack.alarms.topic)] as Resource;
    expect(alarmTopic.Properties.KmsMasterKeyId).toBeUndefined();
  });

  it('are required: a ward without alarm addresses does not synthesize', () => {
    const { operations: _none, ...rest } = readWardFile('sample');
    expect(() => sampleStack({ ward: parseWardConfig(rest) })).toThrow(/operations\.alarmEmails/);
    expect(() => parseWardConfig({ ...rest, operations: { alarmEmails: [] } })).toThrow(/alarmEmails/);
    expect(() => parseWardConfig({ ...rest, operations: { alarmEmails: ['not an address'] } })).toThrow(/alarmEmails/);
  });
});

describe('deadline alerts by e-mail', () => {
  const alertTopic = () => ref(built.stack.storage.alertTopics.topics.alerts);

  it('go out through a topic encrypted under the AWS-managed SNS key that takes only TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.stringLikeRegexp(':alias/aws/sns$'),
    });
    const policy = resources('AWS::SNS::TopicPolicy').find(
      (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([alertTopic()]),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('reach the ward’s addresses unfiltered and each staff address with its member’s alerts only', () => {
    const subscriptions = resources('AWS::SNS::Subscription')
      .filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(alertTopic()))
      .map((s) => s.Properties);
    const staffWithEmail = built.ward.staff.filter((m) => m.email);
    expect(subscriptions).toHaveLength(built.ward.alerts.emails.length + staffWithEmail.length);
    for (const email of built.ward.alerts.emails)
      expect(subscriptions).toContainEqual({ Protocol: 'email', Endpoint: email, TopicArn: alertTopic() });
    for (const member of staffWithEmail)
      expect(subscriptions).toContainEqual({
        Protocol: 'email',
        Endpoint: member.email,
        TopicArn: alertTopic(),
        FilterPolicy: { assignee: [member.username] },
      });
  });

  it('are published by alert-dispatch and the digest only, each allowed sns:Publish on that topic alone', () => {
    for (const name of Object.keys(functions) as (keyof typeof functions)[]) {
      const publishing = statementsOf(name).filter((s) => [s.Action].flat().some((a) => a.startsWith('sns:')));
      if (name === 'alert-dispatch' || name === 'deadline-digest')
        expect(publishing, name).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: alertTopic() }]);
      else expect(publishing, name).toEqual([]);
    }
  });

  it('send the digest at 7:00 in the ward’s time zone, by EventBridge Scheduler, which may invoke the digest only', () => {
    const [schedule, ...others] = resources('AWS::Scheduler::Schedule');
    expect(others).toEqual([]);
    const digest = { 'Fn::GetAtt': [logicalIdOf(built.stack.functions['deadline-digest'].fn), 'Arn'] };
    expect(schedule!.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
      State: 'ENABLED',
      Target: {
        Arn: digest,
        Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
    });
    const roleId = schedule!.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [digest, { 'Fn::Join': ['', [digest, ':*']] }],
      },
    ]);
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

describe('cfn-lint', () => {
  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  // cfn-lint is a Python tool, not an npm dependency: checked where it is installed (`pip install cfn-lint`).
  it.skipIf(cfnLint.status !== 0)('finds nothing wrong with the template', () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-cfn-lint-'));
    try {
      const file = join(dir, 'motcua-sample.template.json');
      writeFileSync(file, JSON.stringify(template.toJSON()));
      // W3005: CDK makes each function depend on its role's policy as well as reference the role; harmless, and CDK's own.
      const run = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', file], { encoding: 'utf8' });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
