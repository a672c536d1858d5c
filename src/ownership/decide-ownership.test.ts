import { describe, expect, it } from 'vitest';

import { decideOwnership, type OwnershipObservation, type OwnershipState } from './decide-ownership.ts';

const observe = (overrides: Partial<OwnershipObservation>): OwnershipObservation => ({
  classification: 'customer_message',
  status: 'pending',
  assigneeType: null,
  isSnapshotCurrent: true,
  ...overrides,
});
const bot: OwnershipState = { owner: 'bot', episode: 1 };
const human: OwnershipState = { owner: 'human', episode: 1 };
const closed: OwnershipState = { owner: 'closed', episode: 1 };

describe('decideOwnership', () => {
  it.each([
    ['new pending conversation → bot', null, observe({}), 'bot', 1, 'new_pending_conversation'],
    ['new open conversation → human', null, observe({ status: 'open' }), 'human', 1, 'status_open'],
    [
      'new with human assignee → human',
      null,
      observe({ assigneeType: 'user' }),
      'human',
      1,
      'human_assigned',
    ],
    ['customer message while pending keeps bot', bot, observe({}), 'bot', 1, 'bot_owns_pending'],
    [
      'human public reply takes over',
      bot,
      observe({ classification: 'human_reply' }),
      'human',
      1,
      'human_replied',
    ],
    [
      'human reply even while still pending',
      bot,
      observe({ classification: 'human_reply', status: 'pending' }),
      'human',
      1,
      'human_replied',
    ],
    [
      'status opened by a human',
      bot,
      observe({ classification: 'status_change', status: 'open' }),
      'human',
      1,
      'status_open',
    ],
    [
      'snoozed',
      bot,
      observe({ classification: 'status_change', status: 'snoozed' }),
      'human',
      1,
      'status_snoozed',
    ],
    [
      'human assigned while pending',
      bot,
      observe({ classification: 'assignment_change', assigneeType: 'user' }),
      'human',
      1,
      'human_assigned',
    ],
    [
      'private note changes nothing',
      bot,
      observe({ classification: 'private_note' }),
      'bot',
      1,
      'bot_owns_pending',
    ],
    ['bot echo changes nothing', bot, observe({ classification: 'bot_echo' }), 'bot', 1, 'bot_owns_pending'],
    [
      'our handoff',
      bot,
      observe({ classification: 'bot_handoff', status: 'open' }),
      'human',
      1,
      'bot_handed_off',
    ],
    [
      'resolved closes the episode',
      human,
      observe({ classification: 'status_change', status: 'resolved' }),
      'closed',
      1,
      'resolved',
    ],
    [
      'resolved then pending again → new bot episode',
      closed,
      observe({ status: 'pending' }),
      'bot',
      2,
      'reopened_pending',
    ],
    [
      'resolved then reopened open → human episode',
      closed,
      observe({ status: 'open' }),
      'human',
      2,
      'reopened_open',
    ],
    [
      'human-owned pending stays human',
      human,
      observe({ status: 'pending' }),
      'human',
      1,
      'human_owned_episode',
    ],
    [
      'human owner, bot assigned while pending → bot',
      human,
      observe({ classification: 'assignment_change', assigneeType: 'agent_bot' }),
      'bot',
      2,
      'assigned_to_bot',
    ],
    [
      'explicit return to bot',
      human,
      observe({ classification: 'return_to_bot', status: 'open' }),
      'bot',
      2,
      'returned_to_bot',
    ],
    [
      'stale snapshot cannot hand back',
      human,
      observe({ isSnapshotCurrent: false }),
      'human',
      1,
      'stale_snapshot_ignored',
    ],
    [
      'stale snapshot still honours a human reply',
      bot,
      observe({ classification: 'human_reply', isSnapshotCurrent: false }),
      'human',
      1,
      'human_replied',
    ],
  ] as const)('%s', (_name, current, observation, owner, episode, reason) => {
    const decision = decideOwnership(current, observation);
    expect(decision.next).toEqual({ owner, episode });
    expect(decision.reason).toBe(reason);
  });

  it('asks to cancel, abort and stop typing when the bot loses the conversation', () => {
    const decision = decideOwnership(bot, observe({ classification: 'human_reply' }));
    expect(decision.actions).toEqual(
      expect.arrayContaining(['cancel_pending_reply', 'abort_run', 'stop_typing']),
    );
    expect(decideOwnership(human, observe({ classification: 'human_reply' })).actions).toEqual([]);
  });
});
