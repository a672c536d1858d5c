import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids that every log line inside a delivery, job, conversation or run carries. */
export interface LogContext {
  deliveryId?: string;
  connection?: string;
  conversationId?: number | string;
  jobId?: string;
  runId?: string;
}

/**
 * Created per logger so two service instances in one test process never share state; the
 * pino mixin reads it, so a call chain that crosses many modules need not thread ids by hand.
 */
export interface LogContextStore {
  run<T>(context: LogContext, fn: () => T): T;
  current(): LogContext;
}

export function createLogContextStore(): LogContextStore {
  const storage = new AsyncLocalStorage<LogContext>();
  return {
    run: (context, fn) => storage.run({ ...storage.getStore(), ...context }, fn),
    current: () => storage.getStore() ?? {},
  };
}
