import { readFileSync } from 'node:fs';
import module from 'node:module';

/**
 * Node 24's ESM resolver works out each module's format from the nearest package.json, and for
 * every file of drizzle-orm that means deserialising its 175 KB `exports` map again: importing
 * drizzle (≈100 files) allocated ~150 MB of short-lived objects, which grew the heap and left the
 * process ~100 MB larger for good (measured: `import('drizzle-orm/pg-core')` 222 MB RSS, 58 MB with
 * this hook; the idle service ~20 MB less). drizzle's own files import each other by relative
 * paths with extensions, all ES modules (its package.json says `"type": "module"`), so those
 * imports are resolved here directly. Everything else goes through Node's resolver unchanged.
 *
 * Must run before drizzle is first imported: the launcher calls it, then imports the entry.
 * Without `module.registerHooks` (Node < 22.15) it does nothing.
 */
export function registerRuntimeHooks(): boolean {
  if (typeof module.registerHooks !== 'function') return false;
  const drizzleRoot = drizzlePackageRoot();
  if (!drizzleRoot) return false;
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (
        parent?.startsWith(drizzleRoot) &&
        (specifier.startsWith('./') || specifier.startsWith('../')) &&
        specifier.endsWith('.js')
      ) {
        const url = new URL(specifier, parent).href;
        if (url.startsWith(drizzleRoot)) return { url, format: 'module', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
  return true;
}

/** drizzle-orm's package folder as a file URL (with a trailing slash) when it ships ES modules. */
function drizzlePackageRoot(): string | null {
  try {
    const manifestUrl = new URL('package.json', import.meta.resolve('drizzle-orm').replace(/[^/]+$/, ''));
    const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as { type?: string };
    return manifest.type === 'module' ? new URL('.', manifestUrl).href : null;
  } catch {
    return null;
  }
}
