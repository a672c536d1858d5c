import type { FastifyInstance } from 'fastify';

export interface HealthDeps {
  /** Each check answers true when its dependency responds. */
  readonly readinessChecks: Readonly<Record<string, () => Promise<boolean>>>;
}

/** `/healthz`: the process is alive. `/readyz`: the database and the queue answer (503 otherwise). */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(deps.readinessChecks).map(async ([name, check]) => {
        try {
          return [name, await withTimeout(check(), 2_000)] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, ok]) => ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
}

async function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
