import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readWardFile, wardIds } from '../shared/config/ward-files.ts';
import { WardStack } from './ward-stack.ts';

/** `npx cdk synth -c ward=<id>` / `npx cdk deploy -c ward=<id>`: one ward's stack from wards/<id>.json. */
const app = new App();
const wardId = app.node.tryGetContext('ward') as string | undefined;
if (!wardId) throw new Error(`say which ward: -c ward=<id> (wards/: ${wardIds().join(', ')})`);
const ward = readWardFile(wardId);

new WardStack(app, `motcua-${ward.id}`, {
  ward,
  env: { account: ward.deploy.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: ward.deploy.region },
});
Tags.of(app).add('app', 'motcua');
Tags.of(app).add('ward', ward.id);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
