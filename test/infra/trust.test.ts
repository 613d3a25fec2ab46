import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { env, type FunctionName, functions, portalWebhookSecret } from '../../shared/blueprint/resources.ts';
import { sampleStack } from '../support/stack.ts';

let template: Template;
let built: ReturnType<typeof sampleStack>;
beforeAll(() => {
  built = sampleStack();
  template = Template.fromStack(built.stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  built.stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
function statementsOf(name: FunctionName): Statement[] {
  const role = logicalIdOf(built.stack.functions[name].role);
  return (
    Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
    }[]
  )
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const keyIds = () => Object.keys(template.findResources('Custom::WardKeyParameter'));
const parameterArn = () => built.stack.resolve(built.stack.storage.secrets.pin.parameterArn) as unknown;

describe('the keys held outside the table', () => {
  it('are one parameter generated at deploy time, no secret, retained when the stack goes', () => {
    // No secret: one cost US$0.40 a month, the parameter nothing (shared/blueprint/resources.ts says why).
    expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
    const found = template.findResources('Custom::WardKeyParameter');
    // The ward key, and the webhook secret of each portal that takes status changes.
    const webhookPortals = built.ward.portals.filter((p) => p.statusWebhookUrl).map((p) => p.id);
    expect(webhookPortals.length).toBeGreaterThan(0);
    const names = (Object.values(found) as { DeletionPolicy: string; Properties: Record<string, unknown> }[]).map(
      (key) => {
        expect(key.DeletionPolicy).toBe('Retain');
        return key.Properties.ParameterName;
      },
    );
    expect(names.sort()).toEqual(
      [
        `/motcua/${built.ward.id}/ward-key`,
        ...webhookPortals.map((id) => portalWebhookSecret.parameterName(built.ward.id, id)),
      ].sort(),
    );
  });

  it('are readable only by the functions that sign or check with them, each told only its own keys', () => {
    const readers: string[] = [];
    for (const name of Object.keys(functions) as FunctionName[]) {
      for (const statement of statementsOf(name).filter((s) =>
        actions(s).some((a) => /^(ssm|secretsmanager|kms):/.test(a)),
      )) {
        expect(actions(statement)).toEqual(['ssm:GetParameter']);
        // Only the portal sender reads the portals' webhook secrets (test/infra/ward-stack.test.ts checks which).
        if (name === 'portal-sync') continue;
        expect(statement.Resource).toEqual(parameterArn());
        readers.push(name);
      }
    }
    // deliveries signs its list's cursors; the feedback routes theirs, and the PINs of feedback.
    expect(readers.sort()).toEqual([
      'deliveries',
      'dossier-actions',
      'dossier-intake',
      'dossier-read',
      'feedback',
      'public-feedback',
      'public-lookup',
    ]);
    const ward = keyIds().find((id) => !/Portal|Webhook/i.test(id))!;
    // IAM cannot tell the keys apart inside one parameter: a function derives only the keys its environment names.
    const variables = (fn: FunctionName) =>
      (
        Object.values(template.findResources('AWS::Lambda::Function')).find(
          (f) => (f as { Properties: { Description?: string } }).Properties.Description === functions[fn].description,
        ) as { Properties: { Environment: { Variables: Record<string, unknown> } } }
      ).Properties.Environment.Variables;
    expect(variables('public-lookup')[env.secret('pin')]).toEqual({ Ref: ward });
    expect(variables('public-lookup')[env.secret('signing')]).toBeUndefined();
    for (const fn of ['dossier-actions', 'dossier-read'] as const) {
      expect(variables(fn)[env.secret('signing')]).toEqual({ Ref: ward });
      expect(variables(fn)[env.secret('pin')]).toBeUndefined();
    }
  });
});

describe('the public lookup', () => {
  it('writes only its attempt counters and ratings (partition keys LOOKUP#…, RATING#…)', () => {
    const writes = statementsOf('public-lookup').filter((s) =>
      actions(s).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) {
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LOOKUP#*', 'RATING#*'] },
      });
      expect(actions(statement).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    }
  });

  it('has reserved concurrency and a route throttle tighter than the stage’s', () => {
    const lookup = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) =>
        (f as { Properties: { Description?: string } }).Properties.Description ===
        functions['public-lookup'].description,
    ) as { Properties: { ReservedConcurrentExecutions?: number } };
    expect(lookup.Properties.ReservedConcurrentExecutions).toBe(5);
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as {
      Properties: Record<string, any>;
    }[];
    const route = stage!.Properties.RouteSettings['GET /public/dossiers/{code}'];
    expect(route).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(route.ThrottlingRateLimit).toBeLessThan(stage!.Properties.DefaultRouteSettings.ThrottlingRateLimit);
  });

  it('reserves nothing on an account that cannot spare it', () => {
    const small = sampleStack({ ward: { ...built.ward, deploy: { ...built.ward.deploy, reserveConcurrency: false } } });
    const functionsOf = Object.values(Template.fromStack(small.stack).findResources('AWS::Lambda::Function')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(functionsOf.every((f) => f.Properties.ReservedConcurrentExecutions === undefined)).toBe(true);
  });
});
