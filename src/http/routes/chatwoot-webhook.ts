import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { classifyWebhookEvent } from '../../chatwoot/classify-webhook-event.ts';
import { parseWebhookEvent } from '../../chatwoot/parse-webhook-event.ts';
import { verifyWebhookSignature, type SignatureFailure } from '../../chatwoot/verify-webhook-signature.ts';
import type { ChatwootConnection } from '../../config/config.ts';
import { AppError } from '../../errors/app-error.ts';
import type { DeliveryInput, DeliveryResult } from '../../ingress/record-webhook-delivery.ts';
import type { LogContextStore } from '../../logging/log-context.ts';

export interface ChatwootWebhookDeps {
  readonly connections: readonly ChatwootConnection[];
  readonly maxBodyBytes: number;
  readonly toleranceSeconds: number;
  readonly nowSeconds: () => number;
  readonly logContext: LogContextStore;
  readonly recordDelivery: (input: DeliveryInput) => Promise<DeliveryResult>;
}

const DELIVERY_ID = /^[\w.:-]{1,200}$/;

/**
 * `POST /webhooks/chatwoot[/:connection]`: verify the HMAC over the raw body, validate, then record
 * and enqueue in one transaction and answer at once. Never calls Chatwoot or a model inline —
 * Chatwoot gives up after 5 s and hands the conversation to humans.
 */
export function registerChatwootWebhookRoutes(app: FastifyInstance, deps: ChatwootWebhookDeps): void {
  const byName = new Map(deps.connections.map((connection) => [connection.name, connection]));

  void app.register((scope, _options, done) => {
    // Only JSON is accepted (415 otherwise), and its raw bytes are kept: the signature covers
    // them exactly, not a re-serialisation.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes },
      (_request, body, next) => {
        next(null, body);
      },
    );
    const handler = async (
      request: FastifyRequest<{ Params: { connection?: string } }>,
      reply: FastifyReply,
    ) => {
      const connection = byName.get(request.params.connection ?? 'default');
      if (!connection) {
        throw new AppError('unknown_connection', {
          message: `No Chatwoot connection named "${request.params.connection}"`,
        });
      }
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('unsupported_media', {
          message: 'Expected a JSON body (Content-Type: application/json)',
        });
      }
      const rawBody = request.body;
      const deliveryHeader = headerOf(request, 'x-chatwoot-delivery');
      const deliveryId = deliveryHeader && DELIVERY_ID.test(deliveryHeader) ? deliveryHeader : null;
      return deps.logContext.run(
        { connection: connection.name, ...(deliveryId ? { deliveryId } : {}) },
        async () => {
          const signed = authenticate(request, connection, rawBody);
          const body = decodeJson(rawBody);
          const parsed = parseWebhookEvent(body);
          const classification = classifyWebhookEvent(parsed);
          const result = await deps.recordDelivery({
            connection: connection.name,
            deliveryId,
            signed,
            rawBody,
            parsed,
            classification,
          });
          request.log.info(
            {
              event: parsed.event.event,
              classification,
              result: result.status,
              outcome: result.status === 'accepted' ? result.outcome : undefined,
            },
            'webhook accepted',
          );
          return reply
            .status(200)
            .send(
              result.status === 'duplicate'
                ? { status: 'duplicate' }
                : { status: 'accepted', outcome: result.outcome },
            );
        },
      );
    };
    const routeOptions = { bodyLimit: deps.maxBodyBytes };
    scope.post('/webhooks/chatwoot', routeOptions, handler);
    scope.post('/webhooks/chatwoot/:connection', routeOptions, handler);
    done();
  });

  function authenticate(request: FastifyRequest, connection: ChatwootConnection, rawBody: Buffer): boolean {
    if (!connection.webhookSecret) {
      if (connection.allowUnsigned) return false;
      refuse(request, 'no_secret_configured');
    }
    const verdict = verifyWebhookSignature({
      rawBody,
      signatureHeader: headerOf(request, 'x-chatwoot-signature'),
      timestampHeader: headerOf(request, 'x-chatwoot-timestamp'),
      secret: connection.webhookSecret,
      nowSeconds: deps.nowSeconds(),
      toleranceSeconds: deps.toleranceSeconds,
    });
    if (!verdict.ok) refuse(request, verdict.reason);
    return true;
  }
}

function refuse(request: FastifyRequest, reason: SignatureFailure | 'no_secret_configured'): never {
  request.log.warn({ reason, ip: request.ip }, 'webhook refused: signature check failed');
  // The body stays generic: the reason is for our logs, not for whoever is probing.
  throw new AppError('invalid_signature', { message: 'Invalid or missing webhook signature' });
}

function decodeJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch (error) {
    throw new AppError('invalid_payload', {
      message: `Body is not valid JSON: ${(error as Error).message}`,
      cause: error,
    });
  }
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
