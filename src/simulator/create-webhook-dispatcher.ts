import { performance } from 'node:perf_hooks';

import type { BotEventName } from './build-event-payloads.ts';
import { buildWebhookHeaders } from './build-webhook-headers.ts';
import type { SeededRandom } from './create-seeded-random.ts';
import { postWebhook } from './post-webhook.ts';
import type { AgentBotRecord } from './simulator-types.ts';

/** `RETRYABLE_AGENT_BOT_STATUSES` in `lib/webhooks/trigger.rb`. */
const RETRYABLE_STATUSES = new Set([429, 500]);

export interface WebhookAttempt {
  attempt: number;
  /** `X-Chatwoot-Timestamp` of this attempt, null when the bot has no secret. */
  timestamp: string | null;
  signature: string | null;
  status: number | null;
  error: string | null;
  startedAt: number;
  durationMs: number;
}

export interface WebhookDelivery {
  deliveryId: string;
  event: BotEventName;
  botId: number;
  url: string;
  /** The exact JSON bytes sent on every attempt. */
  body: string;
  messageId: number | null;
  /** Display id of the conversation the event is about, when there is one. */
  conversationId: number | null;
  state: 'queued' | 'in_flight' | 'retry_wait' | 'delivered' | 'failed' | 'cancelled';
  attempts: WebhookAttempt[];
}

export interface WebhookDispatcher {
  enqueue(input: {
    bot: AgentBotRecord;
    event: BotEventName;
    payload: unknown;
    messageId: number | null;
    conversationId: number | null;
  }): void;
  deliveries(): readonly WebhookDelivery[];
  idle(): Promise<void>;
  /** Drops queued work and aborts requests in flight (stop/reset). */
  cancelAll(): void;
  clearLog(): void;
}

export interface WebhookDispatcherDeps {
  now: () => number;
  random: SeededRandom;
  timeoutMs: number;
  retryDelayMs: number;
  maxAttempts: number;
  concurrency: number;
  /** Called after the final failure of a delivery (Chatwoot's `update_conversation_status`). */
  onFinalFailure: (delivery: WebhookDelivery) => void;
}

/**
 * Agent-bot webhook delivery as `AgentBots::WebhookJob` does it: asynchronous, one delivery id per
 * event and bot reused on retries, a fresh timestamp and signature per attempt, retries only on
 * 429/500, everything else fails at once.
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const log: WebhookDelivery[] = [];
  const queue: { delivery: WebhookDelivery; secret: string | null }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const controllers = new Set<AbortController>();
  let unfinished = 0;
  let inFlight = 0;
  let waiters: (() => void)[] = [];

  const settle = (delivery: WebhookDelivery, state: 'delivered' | 'failed' | 'cancelled'): void => {
    delivery.state = state;
    unfinished -= 1;
    if (state === 'failed') deps.onFinalFailure(delivery);
    if (unfinished === 0) {
      const pending = waiters;
      waiters = [];
      for (const resolve of pending) resolve();
    }
  };

  const attempt = async (item: { delivery: WebhookDelivery; secret: string | null }): Promise<void> => {
    const { delivery, secret } = item;
    delivery.state = 'in_flight';
    const { headers, timestamp, signature } = buildWebhookHeaders({
      deliveryId: delivery.deliveryId,
      secret,
      body: delivery.body,
      nowMs: deps.now(),
    });
    const controller = new AbortController();
    controllers.add(controller);
    const startedAt = deps.now();
    const started = performance.now();
    const result = await postWebhook({
      url: delivery.url,
      body: delivery.body,
      headers,
      timeoutMs: deps.timeoutMs,
      signal: controller.signal,
    });
    controllers.delete(controller);
    if (controller.signal.aborted) return;
    const status = 'status' in result ? result.status : null;
    delivery.attempts.push({
      attempt: delivery.attempts.length + 1,
      timestamp,
      signature,
      status,
      error:
        'error' in result
          ? result.error
          : status !== null && (status < 200 || status > 299)
            ? `HTTP ${status}`
            : null,
      startedAt,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
    if (status !== null && status >= 200 && status <= 299) {
      settle(delivery, 'delivered');
    } else if (
      status !== null &&
      RETRYABLE_STATUSES.has(status) &&
      delivery.attempts.length < deps.maxAttempts
    ) {
      delivery.state = 'retry_wait';
      const timer = setTimeout(() => {
        timers.delete(timer);
        queue.push(item);
        pump();
      }, deps.retryDelayMs);
      timers.add(timer);
    } else {
      settle(delivery, 'failed');
    }
  };

  function pump(): void {
    while (inFlight < deps.concurrency && queue.length > 0) {
      const item = queue.shift()!;
      inFlight += 1;
      void attempt(item).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    enqueue({ bot, event, payload, messageId, conversationId }) {
      // Chatwoot skips bots without an outgoing URL (`return if agent_bot.outgoing_url.blank?`).
      if (bot.outgoingUrl === '') return;
      const delivery: WebhookDelivery = {
        deliveryId: deps.random.uuid(),
        event,
        botId: bot.id,
        url: bot.outgoingUrl,
        body: JSON.stringify(payload),
        messageId,
        conversationId,
        state: 'queued',
        attempts: [],
      };
      log.push(delivery);
      unfinished += 1;
      queue.push({ delivery, secret: bot.secret });
      // Never deliver inside the caller's stack: the API response must not wait for the bot.
      setImmediate(pump);
    },
    deliveries: () => log,
    idle: () =>
      unfinished === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    cancelAll() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of controllers) controller.abort();
      controllers.clear();
      for (const delivery of log) {
        if (delivery.state !== 'delivered' && delivery.state !== 'failed' && delivery.state !== 'cancelled') {
          settle(delivery, 'cancelled');
        }
      }
      queue.length = 0;
    },
    clearLog: () => {
      log.length = 0;
    },
  };
}
