#!/usr/bin/env node
// Thin launcher: runs the TypeScript entry through tsx so the CLI works from a checkout and from npm.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
