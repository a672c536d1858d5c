/**
 * The Node flags the service runs with: in the shebang of bin/chatwoot-agent.js (so `npx
 * chatwoot-agent` and `npm start` get them) and in the benchmarks, which start the service the way
 * users do. A test keeps those places in line with this list.
 *
 * `--max-semi-space-size=8`: on a machine with much memory V8 lets the young generation grow to
 * 2 × 64 MB and keeps it: the idle service held ~255 MB of RSS, ~130 MB of it young space. The
 * service is I/O-bound (webhooks, Chatwoot, the LLM) and small hosts are common, so memory wins
 * over the last few per cent of throughput: bench:pipeline's worker peaks at ~190 MB with 8 MB
 * semi-spaces, ~210 MB with 16 and ~290 MB with V8's default (docs/benchmarks.md).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
