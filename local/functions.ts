import { type FunctionName, functions, type TopicName } from '../shared/blueprint/resources.ts';
import {
  eventSourceGrants,
  type FunctionRefs,
  functionEnvironment,
  functionGrants,
  type Grant,
  invocationEnvironment,
  invocationGrants,
  type ResourceRefs,
  type StaffTokens,
  tokenCheckEnvironment,
} from '../shared/blueprint/wiring.ts';
import { WARD_CONFIG_ENV, type WardConfig } from '../shared/config/ward.ts';
import { AccessPolicy, type LocalArns } from './access.ts';
import type { FunctionRuntime } from './lambda.ts';
import type { LocalResources } from './resources.ts';
import type { LocalSecrets } from './secrets.ts';

/** The local resources as the shared wiring names them, so each function gets what the stack would give it. */
export function localResourceRefs(
  resources: LocalResources,
  secrets: LocalSecrets['secrets'],
  topicArns: Record<TopicName, string>,
  portalSecrets: LocalSecrets['portalSecrets'] = {},
): ResourceRefs {
  const queues = Object.fromEntries(
    (Object.keys(resources.queueUrls) as (keyof LocalResources['queueUrls'])[]).map((queue) => [
      queue,
      { url: resources.queueUrls[queue], arn: resources.queueArns[queue] },
    ]),
  ) as ResourceRefs['queues'];
  return {
    table: { name: resources.tableName, arn: resources.tableArn, streamArn: resources.streamArn },
    bucket: { name: resources.bucketName, arn: resources.bucketArn },
    queues,
    secrets,
    portalSecrets,
    topics: Object.fromEntries(
      Object.entries(topicArns).map(([name, arn]) => [name, { arn }]),
    ) as ResourceRefs['topics'],
  };
}

/** The local functions as the shared wiring names them: `<prefix>-<name>` and its ARN in the local account. */
export function localFunctionRefs(prefix: string, region: string, account = LOCAL_ACCOUNT): FunctionRefs {
  return Object.fromEntries(
    (Object.keys(functions) as FunctionName[]).map((name) => [
      name,
      { name: `${prefix}-${name}`, arn: `arn:aws:lambda:${region}:${account}:function:${prefix}-${name}` },
    ]),
  ) as FunctionRefs;
}

/** The account fauxqs names its queues in, and so the local one. */
const LOCAL_ACCOUNT = '000000000000';

/**
 * Everything a function's role allows in the stack: the blueprint's grants, those of its event sources, and the
 * functions it may invoke.
 */
export function localGrants(name: FunctionName, refs: ResourceRefs, fns: FunctionRefs): Grant[] {
  return [...functionGrants(name, refs), ...eventSourceGrants(name, refs), ...invocationGrants(name, fns)];
}

/**
 * Each function's environment and grants, from the same wiring as the stack's. `shared` holds what every function
 * of the stack gets alike (the ward configuration, which the stack inlines at bundling); `staff` whose tokens are
 * staff's (the local issuer's), for the authorizer.
 */
export function localRuntimes(
  refs: ResourceRefs,
  fns: FunctionRefs,
  shared: Record<string, string>,
  staff: StaffTokens,
): Record<FunctionName, FunctionRuntime> {
  return Object.fromEntries(
    (Object.keys(functions) as FunctionName[]).map((name) => [
      name,
      {
        environment: {
          ...functionEnvironment(name, refs),
          ...invocationEnvironment(name, fns),
          ...tokenCheckEnvironment(name, staff),
          ...shared,
        },
        policy: new AccessPolicy(localGrants(name, refs, fns)),
      },
    ]),
  ) as Record<FunctionName, FunctionRuntime>;
}

/**
 * What every function of the stack gets alike: the ward configuration (the stack inlines it at bundling; here it is
 * the variable the same loader reads).
 */
export function sharedEnvironment(ward: WardConfig): Record<string, string> {
  return { [WARD_CONFIG_ENV]: JSON.stringify(ward) };
}

/** How the local access check names what a call touches: the local resources' own ARNs. */
export function localArns(
  resources: LocalResources,
  region: string,
  fns: FunctionRefs,
  secrets: LocalSecrets['secrets'],
  portalSecrets: LocalSecrets['portalSecrets'] = {},
): LocalArns {
  const queueArns = new Map(
    (Object.keys(resources.queueUrls) as (keyof LocalResources['queueUrls'])[]).map((queue) => [
      resources.queueUrls[queue],
      resources.queueArns[queue],
    ]),
  );
  const account = resources.queueArns.streamFailures.split(':')[4] ?? LOCAL_ACCOUNT;
  const byName = new Map(Object.values(fns).map((f) => [f.name, f.arn]));
  const parameterArns = new Map(
    [...Object.values(secrets), ...Object.values(portalSecrets)].map((s) => [s.reference, s.arn]),
  );
  return {
    account,
    region,
    table: (name) =>
      name === resources.tableName ? resources.tableArn : `arn:aws:dynamodb:${region}:${account}:table/${name}`,
    bucket: (name) => `arn:aws:s3:::${name}`,
    // A queue the instance does not declare (a dead-letter queue, a stranger's) gets an ARN no grant names.
    queue: (url) => queueArns.get(url) ?? `arn:aws:sqs:${region}:${account}:${url.split('/').at(-1)}`,
    // A key file stands for the parameter whose ARN the grants name; any other reference for one no grant names.
    parameter: (reference) =>
      parameterArns.get(reference) ??
      `arn:aws:ssm:${region}:${account}:parameter/${reference.replace(/^file:/, '').replace(/^\//, '')}`,
    // A name, or an ARN (full or partial: `<account>:function:<name>`), possibly qualified by a version or alias.
    // IAM authorises a qualified invocation on the qualified ARN, which a grant of the unqualified one does not name.
    function: (nameOrArn) => {
      if (nameOrArn.startsWith('arn:')) return nameOrArn;
      const [name, qualifier] = nameOrArn.split(':function:').at(-1)!.split(':') as [string, string | undefined];
      const arn = byName.get(name) ?? `arn:aws:lambda:${region}:${account}:function:${name}`;
      return qualifier === undefined ? arn : `${arn}:${qualifier}`;
    },
  };
}
