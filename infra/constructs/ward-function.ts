import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  type FunctionName,
  type QueueName,
  type SecretName,
  streamConsumers,
} from '../../shared/blueprint/resources.ts';
import type { FunctionSpec } from '../../shared/blueprint/types.ts';
import {
  DOCUMENT_OBJECTS,
  functionEnvironment,
  functionGrants,
  functionLimits,
} from '../../shared/blueprint/wiring.ts';
import { parseWardConfig, WARD_CONFIG_ENV, type WardConfig } from '../../shared/config/ward.ts';
import type { Storage } from './storage.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LAMBDA_CREDENTIALS = resolve(root, 'shared/adapters/lambda-credentials.ts');

/**
 * How every function is bundled (exported so that the bundle figures build their floor, a bundle holding only the
 * DynamoDB client, exactly as the functions are built). No source maps: loading them costs every cold start more
 * than they are worth (DEVELOPERS.md has the figures).
 */
export function functionBundling(ward: WardConfig): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node24',
    minify: true,
    sourceMap: false,
    mainFields: ['module', 'main'],
    // The SDK is bundled, so the code runs on the versions it was tested with.
    externalModules: [],
    // ESM bundles of CommonJS dependencies still call require().
    banner:
      "import { createRequire as __motcuaCreateRequire } from 'module'; const require = __motcuaCreateRequire(import.meta.url);",
    // Validated here, so that a function reads it without the schema (shared/config/current-ward.ts).
    define: { [`process.env.${WARD_CONFIG_ENV}`]: JSON.stringify(JSON.stringify(parseWardConfig(ward))) },
    // Lambda gives a function its role's credentials in its environment: the SDK's default chain, with the STS and SSO
    // clients its other providers carry, is replaced by the environment's provider alone.
    esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS },
  };
}

export interface WardFunctionProps {
  name: FunctionName;
  spec: FunctionSpec<QueueName, SecretName>;
  ward: WardConfig;
  storage: Storage;
  environment?: Record<string, string>;
}

/**
 * One function of the blueprint: bundled by esbuild (ESM, minified, the ward configuration inlined), on Node.js 24 / arm64, with its own log group and its own role that grants only what the
 * blueprint says the function touches. Its environment and grants come from shared/blueprint/wiring.ts, which the
 * local runner uses too.
 */
export class WardFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: WardFunctionProps) {
    super(scope, id);
    const { name, spec, storage } = props;
    const refs = storage.refs();
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `motcua ${name}: ${spec.description}`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:*`],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      entry: resolve(root, 'functions', name, 'handler.ts'),
      projectRoot: root,
      depsLockFilePath: resolve(root, 'package-lock.json'),
      description: spec.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: functionLimits(name).memoryMb,
      ...(spec.reservedConcurrency !== undefined && props.ward.deploy.reserveConcurrency
        ? { reservedConcurrentExecutions: spec.reservedConcurrency }
        : {}),
      timeout: Duration.seconds(functionLimits(name).timeoutSeconds),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'motcua',
        POWERTOOLS_METRICS_NAMESPACE: 'motcua',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...functionEnvironment(name, refs),
        ...props.environment,
      },
      bundling: functionBundling(props.ward),
    });

    for (const grant of functionGrants(name, refs)) this.role.addToPolicy(new PolicyStatement(grant));
    if (spec.bucket) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(storage.bucket)}.Arn>/${DOCUMENT_OBJECTS}]`,
        reason: {
          signTransfers:
            'Upload and download URLs are signed for keys under dossiers/<code>/components/…, named at signing; the grant covers that prefix only.',
          checkUploads:
            'Uploads arrive under dossiers/<code>/…, named at signing; the check reads and deletes versions of objects under that prefix only.',
        }[spec.bucket],
      });
    }

    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(logGroup)}.Arn>:*]`,
      reason: "Lambda names its log streams at run time; the grant is limited to this function's own log group.",
    });
    // Actions that accept no resource-level permission, so granted on "*": for a consumer of the table stream,
    // ListStreams (its event source mapping). cdk-nag names this finding by the resource alone (Resource::*),
    // whatever the action, so the synth itself keeps it to exactly these actions.
    const onEveryResource = streamConsumers.some((c) => c.function === name) ? ['dynamodb:ListStreams'] : [];
    if (onEveryResource.length > 0) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `Only ${onEveryResource.join(', ')}, which accept no resource-level permission, are granted on *; the synth fails on any other action granted on * (see actionsOnEveryResource).`,
      });
    }
    this.role.node.addValidation({
      validate: () =>
        actionsOnEveryResource(this.role)
          .filter((action) => !onEveryResource.includes(action))
          .map(
            (action) => `${name}: ${action} is granted on every resource (*); grant it on what the function touches`,
          ),
    });
  }
}

/** The actions a role's policies allow on every resource ("*"). */
export function actionsOnEveryResource(role: Role): string[] {
  const stack = Stack.of(role);
  return role.node
    .findAll()
    .filter((c): c is Policy => c instanceof Policy)
    .flatMap((policy) => {
      const { Statement = [] } = (stack.resolve(policy.document.toJSON()) ?? {}) as {
        Statement?: { Effect: string; Action?: string | string[]; Resource?: unknown }[];
      };
      return Statement.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*')).flatMap((s) =>
        [s.Action ?? []].flat(),
      );
    });
}

/** The logical id cdk-nag quotes in a finding about a construct's resource. */
export function logicalId(construct: Construct): string {
  const resource = construct.node.defaultChild as CfnResource;
  return Stack.of(construct).resolve(Stack.of(construct).getLogicalId(resource)) as string;
}
