// The service as `serve --role web` runs it, plus a bare endpoint that only verifies the HMAC over
// the raw body: the ceiling of this machine for a signed POST. Started as a child process by
// run-ingress-bench.ts so the load generator does not share its event loop.
import { verifyWebhookSignature } from '../../src/chatwoot/verify-webhook-signature.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { composeCore } from '../../src/compose.ts';
import { startService } from '../../src/service/start-service.ts';

const config = loadConfig();
const core = await composeCore(config);
const secret = config.connections[0]?.webhookSecret ?? '';
const service = await startService(core, {
  role: 'web',
  handlers: {
    reply: () => Promise.resolve(),
    'conversation-signal': () => Promise.resolve(),
    'episode-summary': () => Promise.resolve(),
    'knowledge-sync': () => Promise.resolve(),
  },
  configureApp: (app) => {
    void app.register((scope, _options, done) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, next) =>
        next(null, body),
      );
      scope.post('/bench/bare', (request, reply) => {
        const verdict = verifyWebhookSignature({
          rawBody: request.body as Buffer,
          signatureHeader: request.headers['x-chatwoot-signature'] as string | undefined,
          timestampHeader: request.headers['x-chatwoot-timestamp'] as string | undefined,
          secret,
          nowSeconds: Math.floor(Date.now() / 1000),
          toleranceSeconds: 300,
        });
        return reply.status(verdict.ok ? 200 : 401).send({ ok: verdict.ok });
      });
      done();
    });
  },
});
process.send?.({ ready: true, url: service.url });
process.on('SIGTERM', () => {
  void service
    .stop()
    .then(() => core.close())
    .then(() => process.exit(0));
});
