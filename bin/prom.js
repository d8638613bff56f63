#!/usr/bin/env node
// Entry point of the `prom` command: TypeScript runs through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
