import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { wardKey } from '../../shared/blueprint/resources.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import type { WardKeyProperties } from '../ward-key/handler.ts';
import { functionBundling, logicalId } from './ward-function.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The ward key: an SSM SecureString parameter, standard tier (free, as its standard-throughput reads are), which a
 * small function of our own generates at the stack's creation (infra/ward-key/handler.ts): CloudFormation's own
 * AWS::SSM::Parameter cannot be a SecureString, and its value would sit in the template. Encrypted under the AWS
 * managed key aws/ssm rather than a key of the stack's: a customer managed key costs US$1 a month, more than the
 * secret this replaces, and the managed key's policy already lets SSM decrypt for any principal of the account that
 * IAM allows the GetParameter call, so each function's one grant is `ssm:GetParameter` on this parameter.
 * The parameter outlives the stack, as the table whose PIN hashes depend on it does (RemovalPolicy RETAIN).
 */
export class WardKey extends Construct {
  /** The parameter's name; a reference to the custom resource, so nothing reads the key before it exists. */
  readonly parameterName: string;
  readonly parameterArn: string;
  readonly resource: CustomResource;
  readonly generator: NodejsFunction;

  constructor(scope: Construct, id: string, props: { ward: WardConfig }) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = wardKey.parameterName(props.ward.id);
    this.parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    const copyFrom = props.ward.deploy.wardKeyFromSecret;

    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'motcua ward key generator: creates the ward key parameter once, at deploy time',
    });
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:*`],
      }),
    );
    role.addToPolicy(new PolicyStatement({ actions: ['ssm:PutParameter'], resources: [this.parameterArn] }));
    if (copyFrom)
      role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [copyFrom] }));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(logGroup)}.Arn>:*]`,
      reason: "Lambda names its log streams at run time; the grant is limited to the generator's own log group.",
    });

    this.generator = new NodejsFunction(this, 'Generator', {
      entry: resolve(root, 'infra/ward-key/handler.ts'),
      projectRoot: root,
      depsLockFilePath: resolve(root, 'package-lock.json'),
      description: 'motcua: creates the ward key parameter at deploy time, never overwriting it',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      bundling: functionBundling(props.ward),
    });

    const properties: WardKeyProperties = { ParameterName: name, ...(copyFrom ? { CopyFromSecret: copyFrom } : {}) };
    this.resource = new CustomResource(this, 'Parameter', {
      serviceToken: this.generator.functionArn,
      resourceType: wardKey.resourceType,
      properties: { ...properties },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.parameterName = this.resource.ref;
    this.role = role;
  }

  private readonly role: Role;

  /**
   * A portal's webhook secret, made by the same generator once, never overwritten, retained (a new one would void
   * the secret the portal verifies with): the portal's operator reads it from the parameter and gives it the portal.
   */
  portalSecret(name: string, portalId: string): { reference: string; arn: string } {
    const stack = Stack.of(this);
    const arn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    this.role.addToPolicy(new PolicyStatement({ actions: ['ssm:PutParameter'], resources: [arn] }));
    const properties: WardKeyProperties = { ParameterName: name, Format: 'webhook-secret' };
    const resource = new CustomResource(this, `PortalSecret${portalId.replace(/[^A-Za-z0-9]/g, '')}`, {
      serviceToken: this.generator.functionArn,
      resourceType: wardKey.resourceType,
      properties: { ...properties },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return { reference: resource.ref, arn };
  }
}
