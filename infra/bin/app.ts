#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { readStageConfig } from '../config.js';
import { addNagChecks, addSignpostStacks } from '../signpost.js';

const app = new App();
addSignpostStacks(app, readStageConfig(app));
addNagChecks(app);
