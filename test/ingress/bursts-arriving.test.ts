import { describe, expect, it } from 'vitest';

import { createBurstsArriving } from '../../src/ingress/bursts-arriving.ts';

const conversation = (chatwootConversationId: number) => ({
  connection: 'default',
  accountId: 1,
  chatwootConversationId,
});

describe('bursts arriving: the customer messages received and not yet committed', () => {
  it('holds a conversation until its last arriving message is committed', () => {
    const arriving = createBurstsArriving();
    const first = arriving.arrive(conversation(1));
    const second = arriving.arrive(conversation(1));
    const other = arriving.arrive(conversation(2));
    expect(arriving.conversations()).toEqual([conversation(1), conversation(2)]);
    first();
    first(); // a second call changes nothing
    expect(arriving.conversations()).toEqual([conversation(1), conversation(2)]);
    second();
    other();
    expect(arriving.conversations()).toEqual([]);
  });

  it('wakes the claim when a conversation it left alone is committed, and only then', () => {
    const arriving = createBurstsArriving();
    let wakes = 0;
    arriving.onDeferredCommitted(() => (wakes += 1));
    const deferred = arriving.arrive(conversation(1));
    const notDeferred = arriving.arrive(conversation(2));
    arriving.deferredByClaim([conversation(1)]);
    notDeferred();
    expect(wakes).toBe(0);
    deferred();
    expect(wakes).toBe(1);
  });

  it('wakes the claim at once when the conversation it left alone was committed meanwhile', () => {
    // The commit's NOTIFY was handled first, by the claim that then deferred the conversation; its
    // message was committed before the claim's answer came back.
    const arriving = createBurstsArriving();
    let wakes = 0;
    arriving.onDeferredCommitted(() => (wakes += 1));
    const committed = arriving.arrive(conversation(1));
    committed();
    arriving.deferredByClaim([conversation(1)]);
    expect(wakes).toBe(1);
  });
});
