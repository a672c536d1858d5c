#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1024
// Thin launcher for the TypeScript entry. The flags above are SERVICE_NODE_FLAGS
// (src/service/service-node-flags.ts). Node strips the types itself where it can (Node ≥ 22.18 and
// 23.6, and only outside node_modules); elsewhere, e.g. when installed from npm, tsx compiles them.
import { fileURLToPath } from 'node:url';

const insideNodeModules = fileURLToPath(import.meta.url)
  .split(/[\\/]/)
  .includes('node_modules');
if (!process.features.typescript || insideNodeModules) {
  const { register } = await import('tsx/esm/api');
  register();
}
// Before the entry's imports are resolved (see src/runtime/register-runtime-hooks.ts).
await import('../src/runtime/preload.ts');
await import('../src/main.ts');
