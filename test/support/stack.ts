import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WardStack } from '../../infra/ward-stack.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';

/**
 * The sample ward's stack, synthesized in memory. Bundling is skipped (it takes a quarter of a minute) except
 * where a test asks for it; cdk-nag's AwsSolutions pack runs as it does in `cdk synth`.
 */
export function sampleStack(options: { bundle?: boolean; ward?: WardConfig; outdir?: string } = {}) {
  // The feature flags of cdk.json, so the tests see the template `cdk synth` makes.
  const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const ward = options.ward ?? readWardFile('sample');
  const stack = new WardStack(app, `motcua-${ward.id}`, {
    ward,
    env: { account: '111111111111', region: ward.deploy.region },
  });
  return { app, stack, ward };
}
