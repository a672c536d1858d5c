import { afterEach, describe, expect, it } from 'vitest';

import { createFaultInjector } from '../../src/simulator/create-fault-injector.ts';
import type { TestSimulator } from './start-test-simulator.ts';
import { startTestSimulator } from './start-test-simulator.ts';

let t: TestSimulator | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('fault decisions', () => {
  it('hit the configured rates with a seed, and repeat with the same seed', () => {
    const decide = (seed: number) => {
      const injector = createFaultInjector(seed);
      injector.configure({ rate429: 0.2, rate500: 0.1, dropRate: 0.05 });
      return Array.from({ length: 4000 }, () => injector.decide({ method: 'POST', path: '/x' }).outcome);
    };
    const outcomes = decide(42);
    const share = (value: unknown) =>
      outcomes.filter((outcome) => outcome === value).length / outcomes.length;
    expect(share('drop')).toBeCloseTo(0.05, 1);
    // 429/500 are drawn after the drop draw, so their shares are of the remaining 95 %.
    expect(share(429)).toBeGreaterThan(0.16);
    expect(share(429)).toBeLessThan(0.22);
    expect(share(500)).toBeGreaterThan(0.07);
    expect(share(500)).toBeLessThan(0.12);
    expect(decide(42)).toEqual(outcomes);
    expect(decide(43)).not.toEqual(outcomes);
  });

  it('scopes rules to methods and paths, and adds latency from a range', () => {
    const injector = createFaultInjector(1);
    injector.configure({
      rate500: 1,
      methods: ['POST'],
      paths: ['/toggle_status'],
      latencyMs: { min: 10, max: 20 },
    });
    expect(injector.decide({ method: 'GET', path: '/conversations/1/toggle_status' })).toEqual({
      latencyMs: 0,
      outcome: null,
    });
    expect(injector.decide({ method: 'POST', path: '/conversations/1/messages' }).outcome).toBeNull();
    const hit = injector.decide({ method: 'POST', path: '/conversations/1/toggle_status' });
    expect(hit.outcome).toBe(500);
    expect(hit.latencyMs).toBeGreaterThanOrEqual(10);
    expect(hit.latencyMs).toBeLessThanOrEqual(20);
  });
});

describe('faults over HTTP', () => {
  it('answers 429 exactly like rack-attack: text/plain, "Retry later\\n", no Retry-After', async () => {
    t = await startTestSimulator();
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    t.simulator.faults.failNext(1, 429);
    const response = await t.api('POST', `/conversations/${conversationId}/messages`, {
      body: { content: 'x' },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.text).toBe('Retry later\n');
    expect(response.headers.get('retry-after')).toBeNull();
    expect(t.simulator.botReplies(conversationId)).toEqual([]);
  });

  it('failNext fails exactly the next n matching calls', async () => {
    t = await startTestSimulator();
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    t.simulator.faults.failNext(2, 500, { paths: ['/messages'] });
    const statuses: number[] = [];
    statuses.push((await t.api('GET', `/conversations/${conversationId}`)).status);
    for (let index = 0; index < 3; index += 1) {
      statuses.push(
        (await t.api('POST', `/conversations/${conversationId}/messages`, { body: { content: 'x' } })).status,
      );
    }
    expect(statuses).toEqual([200, 500, 500, 200]);
    expect(t.simulator.apiCalls({ method: 'POST' }).map((call) => [call.status, call.fault])).toEqual([
      [500, 'status'],
      [500, 'status'],
      [200, null],
    ]);
  });

  it('drops connections', async () => {
    t = await startTestSimulator();
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    t.simulator.faults.failNext(1, 'drop');
    await expect(t.api('GET', `/conversations/${conversationId}`)).rejects.toThrow();
    expect(t.simulator.apiCalls()[0]).toMatchObject({ status: null, fault: 'drop' });
  });

  it('adds latency and lets rates apply over HTTP', async () => {
    t = await startTestSimulator({ seed: 7 });
    const { conversationId } = t.simulator.customerSays({ inboxId: 3, content: 'Hi' });
    t.simulator.faults.configure({ latencyMs: 60, paths: ['/labels'] });
    const started = Date.now();
    await t.api('GET', `/conversations/${conversationId}/labels`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    t.simulator.faults.configure({ rate429: 0.5 });
    const statuses: number[] = [];
    for (let index = 0; index < 200; index += 1) {
      statuses.push((await t.api('GET', `/conversations/${conversationId}`)).status);
    }
    const limited = statuses.filter((status) => status === 429).length;
    expect(limited).toBeGreaterThan(70);
    expect(limited).toBeLessThan(130);
    expect(statuses.filter((status) => status === 200).length).toBe(200 - limited);
    t.simulator.faults.clear();
    expect((await t.api('GET', `/conversations/${conversationId}`)).status).toBe(200);
  });
});
