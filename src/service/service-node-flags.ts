/**
 * The Node flags the service runs with: in the shebang of bin/chatwoot-agent.js (so `npx
 * chatwoot-agent` and `npm start` get them) and in the benchmarks, which start the service the way
 * users do. A test keeps those places in line with this list.
 *
 * `--max-semi-space-size=16`: on a machine with much memory V8 sizes the young generation at up to
 * 2 × 64 MB, committed from the start: the idle service held ~255 MB of RSS, ~130 MB of it young
 * space it never needs. 16 MB semi-spaces hold a reply pipeline's short-lived garbage as well
 * (measured in bench:pipeline, docs/benchmarks.md).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
