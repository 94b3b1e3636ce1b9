#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so the bin works from a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
