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
 *
 * `--max-old-space-size=1024`: without a limit V8 sizes the old generation from the machine's
 * memory (~4 GB on 24 GB) and lets it grow lazily: under repeated bursts the worker's RSS climbed
 * round after round to ~280–290 MB, though its live data fits in under 96 MB (it stays at ~160 MB
 * with that limit). With any explicit limit from 128 MB to 1 GB it stayed at ~160–170 MB at the
 * same throughput (bench:pipeline, 5 rounds). 1 GB leaves room for the largest documents a
 * knowledge sync parses; a process that needs more fails with an out-of-memory error, and can be
 * started with `node --max-old-space-size=<MB> bin/chatwoot-agent.js` (a flag on the command line
 * wins over NODE_OPTIONS).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--max-old-space-size=1024'];
