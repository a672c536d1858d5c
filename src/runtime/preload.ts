// `node --import <this file> <entry>`: registers the runtime hooks (register-runtime-hooks.ts)
// before the entry's imports are resolved. The launcher (bin/chatwoot-agent.js) and the benchmarks
// start the service through it.
import { registerRuntimeHooks } from './register-runtime-hooks.ts';

registerRuntimeHooks();
