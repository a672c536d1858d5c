import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';

import type { Logger } from '../logging/create-logger.ts';
import { handleError } from './error-handler.ts';
import { registerChatwootWebhookRoutes, type ChatwootWebhookDeps } from './routes/chatwoot-webhook.ts';
import { registerHealthRoutes, type HealthDeps } from './routes/health.ts';

export interface ServerDeps {
  readonly logger: Logger;
  readonly webhook: ChatwootWebhookDeps;
  readonly health: HealthDeps;
}

/** Builds the Fastify app; never listens (main and tests share it). */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // Per-request lines would double every webhook log; routes log what matters themselves.
    logController: new LogController({ disableRequestLogging: true }),
    // Chatwoot's deliveries are small; anything else gets the webhook route's own limit.
    bodyLimit: deps.webhook.maxBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setErrorHandler(handleError);
  registerHealthRoutes(app, deps.health);
  registerChatwootWebhookRoutes(app, deps.webhook);
  return app;
}
