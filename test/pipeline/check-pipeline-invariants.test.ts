import { describe, expect, it } from 'vitest';

import type { ApiCall, MessageSnapshot } from '../../src/simulator/create-chatwoot-simulator.ts';
import {
  checkPipelineInvariants,
  type LoggedEvent,
  type PipelineObservations,
  type ScenarioLog,
} from '../setup/check-pipeline-invariants.ts';

/**
 * The property test's checker on hand-made histories: each broken history must be reported, so a
 * passing property run means something. (It was also seen failing against a deliberately broken
 * pipeline: ownership re-check skipped, debounce removed.)
 */
const SETTINGS = {
  debounceMs: 300,
  marginMs: 150,
  handoffCustomerMessage: 'Connecting you with a colleague now.',
};
const CONVERSATION = 1;

const message = (
  id: number,
  senderType: MessageSnapshot['senderType'],
  content: string,
  isPrivate = false,
): MessageSnapshot => ({
  id,
  conversationId: CONVERSATION,
  messageType: senderType === 'contact' ? 'incoming' : 'outgoing',
  content,
  isPrivate,
  contentType: 'text',
  contentAttributes: {},
  senderType,
  senderId: 1,
  echoId: null,
  createdAt: id * 1000,
});
const customer = (seq: number, id: number, token: string, burst: number): LoggedEvent => ({
  kind: 'customer',
  seq,
  conversationId: CONVERSATION,
  messageId: id,
  token,
  burst,
  sentAt: id * 1000,
});
const post = (at: number, content: string, status: number | null = 200): ApiCall => ({
  method: 'POST',
  path: `/api/v1/accounts/1/conversations/${CONVERSATION}/messages`,
  query: '',
  tokenKind: 'bot',
  tokenOwnerId: 7,
  body: JSON.stringify({ content }),
  status,
  fault: null,
  at,
  durationMs: 1,
});
const check = (at: number): ApiCall => ({
  ...post(at, ''),
  method: 'GET',
  path: `/api/v1/accounts/1/conversations/${CONVERSATION}`,
  body: '',
});

function run(
  events: LoggedEvent[],
  messages: MessageSnapshot[],
  options: {
    typing?: ('on' | 'off')[];
    calls?: ApiCall[];
    receivedAt?: [number, number][];
    status?: string;
  } = {},
) {
  const log: ScenarioLog = {
    events,
    episodes: [{ conversationId: CONVERSATION, fromMessageId: 0, botOwned: true }],
  };
  const seen: PipelineObservations = {
    conversations: new Map([
      [
        CONVERSATION,
        {
          status: options.status ?? 'pending',
          messages,
          botTyping: (options.typing ?? ['on', 'off']).map((status, index) => ({ status, at: index })),
        },
      ],
    ]),
    apiCalls: options.calls ?? [],
    receivedAt: new Map(options.receivedAt ?? []),
    botLostAt: new Map(),
  };
  return checkPipelineInvariants(log, seen, SETTINGS).violations;
}

describe('checkPipelineInvariants', () => {
  const burst = [customer(0, 1, 'c0-m0', 0), customer(1, 2, 'c0-m1', 0)];
  const asked = [message(1, 'contact', 'c0-m0 question'), message(2, 'contact', 'c0-m1 question')];

  it('accepts a clean history: one reply for the burst, typing off', () => {
    expect(run(burst, [...asked, message(3, 'agent_bot', 'Re: c0-m0 question | c0-m1 question')])).toEqual(
      [],
    );
  });

  it('reports a message answered twice', () => {
    const violations = run(burst, [
      ...asked,
      message(3, 'agent_bot', 'Re: c0-m0 question | c0-m1 question'),
      message(4, 'agent_bot', 'Re: c0-m1 question'),
    ]);
    expect(violations).toEqual([expect.stringContaining('c0-m1 answered twice')]);
  });

  it('reports a message the bot owned that was never answered', () => {
    expect(
      run(burst, [...asked, message(3, 'agent_bot', 'Re: c0-m0 question')], {
        receivedAt: [
          [1, 0],
          [2, 500],
        ],
      }),
    ).toEqual([expect.stringContaining('c0-m1 (message 2) was never answered')]);
  });

  it('reports a burst split although its messages arrived within the debounce window', () => {
    const split = [
      ...asked,
      message(3, 'agent_bot', 'Re: c0-m0 question'),
      message(4, 'agent_bot', 'Re: c0-m1 question'),
    ];
    expect(
      run(burst, split, {
        receivedAt: [
          [1, 1_000],
          [2, 1_040],
        ],
      }),
    ).toEqual([expect.stringContaining('burst 0 split')]);
    expect(
      run(burst, split, {
        receivedAt: [
          [1, 1_000],
          [2, 1_400],
        ],
      }),
    ).toEqual([]);
  });

  it('reports a bot reply after a takeover unless the post was already on its way', () => {
    const takeover: LoggedEvent = {
      kind: 'human',
      seq: 2,
      conversationId: CONVERSATION,
      action: 'assign',
      detail: 'user 3',
      at: 5_000,
      mark: 3,
    };
    const history = [
      ...asked,
      message(3, null, 'Conversation was assigned to Daniel Kim'),
      message(4, 'agent_bot', 'Re: c0-m0 question | c0-m1 question'),
    ];
    const reply = 'Re: c0-m0 question | c0-m1 question';
    expect(run([...burst, takeover], history, { calls: [check(5_100), post(5_110, reply)] })).toEqual([
      expect.stringContaining('after the human assign'),
    ]);
    // Posted before the takeover (Chatwoot was slow to store it): excused.
    expect(run([...burst, takeover], history, { calls: [check(4_900), post(4_990, reply)] })).toEqual([]);
    // Checked before the takeover, then a failed attempt and a retry after it, without a new check: reported.
    expect(
      run([...burst, takeover], history, {
        calls: [check(4_900), post(4_950, reply, 429), post(5_100, reply)],
      }),
    ).toEqual([expect.stringContaining('after the human assign')]);
  });

  it('reports typing left on and a status a human set being overridden', () => {
    const resolved: LoggedEvent = {
      kind: 'human',
      seq: 2,
      conversationId: CONVERSATION,
      action: 'status',
      detail: 'resolved',
      at: 9_000,
      mark: 4,
    };
    const history = [...asked, message(3, 'agent_bot', 'Re: c0-m0 question | c0-m1 question')];
    expect(run([...burst, resolved], history, { typing: ['on'], status: 'open' })).toEqual([
      expect.stringContaining('typing indicator was left on'),
      expect.stringContaining('a human set it resolved last, but it ended open'),
    ]);
  });
});
