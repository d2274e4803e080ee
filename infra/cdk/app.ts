import { App } from 'aws-cdk-lib';
import { buildEio } from './eio-app';

// Entry point of `cdk synth` / `cdk deploy` (cdk.json). Settings come from context: see settings.ts.
const app = new App();
buildEio(app);
app.synth();
