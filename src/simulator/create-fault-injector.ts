import type { SeededRandom } from './create-seeded-random.ts';
import { createSeededRandom } from './create-seeded-random.ts';

/** Where a fault applies: any of `methods` (e.g. "POST") and any of `paths` (substring or RegExp). */
export interface FaultScope {
  methods?: string[];
  paths?: (string | RegExp)[];
}

export interface FaultRule extends FaultScope {
  /** Probability of a rack-attack style 429 (`text/plain`, "Retry later\n", no Retry-After). */
  rate429?: number;
  /** Probability of a 500. */
  rate500?: number;
  /** Probability of destroying the socket without a response. */
  dropRate?: number;
  /** Added latency before answering: fixed ms or a uniform range. */
  latencyMs?: number | { min: number; max: number };
}

/** An HTTP status to answer with (429 and 500 as Chatwoot/rack-attack would), or a dropped socket. */
export type FaultOutcome = number | 'drop';

export interface FaultDecision {
  latencyMs: number;
  outcome: FaultOutcome | null;
}

export interface FaultInjector {
  /** Replaces the active rules. */
  configure(rules: FaultRule | FaultRule[]): void;
  /** The next `count` matching requests fail with `outcome`, before any probabilistic rule. */
  failNext(count: number, outcome: FaultOutcome, scope?: FaultScope): void;
  clear(): void;
  decide(request: { method: string; path: string }): FaultDecision;
}

function matches(scope: FaultScope, request: { method: string; path: string }): boolean {
  if (scope.methods && !scope.methods.some((method) => method.toUpperCase() === request.method)) return false;
  if (scope.paths) {
    return scope.paths.some((path) =>
      typeof path === 'string' ? request.path.includes(path) : path.test(request.path),
    );
  }
  return true;
}

/**
 * Seeded, run-time configurable faults for the simulator's REST API. The decision stream has its
 * own seed so adding an id-generating call elsewhere does not change which requests fail.
 */
export function createFaultInjector(seed: number): FaultInjector {
  let random: SeededRandom = createSeededRandom(seed);
  let rules: FaultRule[] = [];
  let scripted: { remaining: number; outcome: FaultOutcome; scope: FaultScope }[] = [];

  return {
    configure(next) {
      rules = Array.isArray(next) ? [...next] : [next];
    },
    failNext(count, outcome, scope = {}) {
      scripted.push({ remaining: count, outcome, scope });
    },
    clear() {
      rules = [];
      scripted = [];
      random = createSeededRandom(seed);
    },
    decide(request) {
      let latencyMs = 0;
      const script = scripted.find((entry) => entry.remaining > 0 && matches(entry.scope, request));
      if (script) {
        script.remaining -= 1;
        scripted = scripted.filter((entry) => entry.remaining > 0);
        return { latencyMs, outcome: script.outcome };
      }
      for (const rule of rules) {
        if (!matches(rule, request)) continue;
        if (typeof rule.latencyMs === 'number') latencyMs += rule.latencyMs;
        else if (rule.latencyMs)
          latencyMs += rule.latencyMs.min + random.next() * (rule.latencyMs.max - rule.latencyMs.min);
        if (rule.dropRate && random.next() < rule.dropRate) return { latencyMs, outcome: 'drop' };
        const draw = random.next();
        const rate429 = rule.rate429 ?? 0;
        if (draw < rate429) return { latencyMs, outcome: 429 };
        if (draw < rate429 + (rule.rate500 ?? 0)) return { latencyMs, outcome: 500 };
      }
      return { latencyMs, outcome: null };
    },
  };
}
