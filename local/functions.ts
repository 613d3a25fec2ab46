import { type FunctionName, functions, type TopicName } from '../shared/blueprint/resources.ts';
import {
  eventSourceGrants,
  functionEnvironment,
  functionGrants,
  type Grant,
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
    topics: Object.fromEntries(
      Object.entries(topicArns).map(([name, arn]) => [name, { arn }]),
    ) as ResourceRefs['topics'],
  };
}

/** Everything a function's role allows in the stack: the blueprint's grants and those of its event sources. */
export function localGrants(name: FunctionName, refs: ResourceRefs): Grant[] {
  return [...functionGrants(name, refs), ...eventSourceGrants(name, refs)];
}

/**
 * Each function's environment and grants, from the same wiring as the stack's. `shared` holds what every function
 * of the stack gets alike (the ward configuration, which the stack inlines at bundling); `staff` whose tokens are
 * staff's (the local issuer's), for the authorizer.
 */
export function localRuntimes(
  refs: ResourceRefs,
  shared: Record<string, string>,
  staff: StaffTokens,
): Record<FunctionName, FunctionRuntime> {
  return Object.fromEntries(
    (Object.keys(functions) as FunctionName[]).map((name) => [
      name,
      {
        environment: { ...functionEnvironment(name, refs), ...tokenCheckEnvironment(name, staff), ...shared },
        policy: new AccessPolicy(localGrants(name, refs)),
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
export function localArns(resources: LocalResources, region: string): LocalArns {
  const queueArns = new Map(
    (Object.keys(resources.queueUrls) as (keyof LocalResources['queueUrls'])[]).map((queue) => [
      resources.queueUrls[queue],
      resources.queueArns[queue],
    ]),
  );
  const account = resources.queueArns.alerts.split(':')[4] ?? '000000000000';
  return {
    account,
    region,
    table: (name) =>
      name === resources.tableName ? resources.tableArn : `arn:aws:dynamodb:${region}:${account}:table/${name}`,
    bucket: (name) => `arn:aws:s3:::${name}`,
    // A queue the instance does not declare (a dead-letter queue, a stranger's) gets an ARN no grant names.
    queue: (url) => queueArns.get(url) ?? `arn:aws:sqs:${region}:${account}:${url.split('/').at(-1)}`,
  };
}
