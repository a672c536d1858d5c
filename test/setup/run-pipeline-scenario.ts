import { sql } from 'drizzle-orm';

import { queryRows } from '../../src/db/query-rows.ts';
import type { FaultRule } from '../../src/simulator/create-chatwoot-simulator.ts';
import type {
  EpisodeStart,
  LoggedEvent,
  PipelineObservations,
  ScenarioLog,
} from './check-pipeline-invariants.ts';
import type { ReusablePipelineHarness } from './build-reusable-pipeline-harness.ts';
import { INBOX_ID, sleep } from './build-pipeline-harness.ts';

export type ScenarioAction =
  | {
      readonly kind: 'burst';
      readonly conv: number;
      readonly size: number;
      readonly gapMs: number;
      readonly asksHuman: boolean;
    }
  | { readonly kind: 'humanReply'; readonly conv: number }
  | { readonly kind: 'assign'; readonly conv: number; readonly userId: 3 | 4 }
  | { readonly kind: 'status'; readonly conv: number; readonly status: 'open' | 'snoozed' | 'resolved' }
  | { readonly kind: 'wait'; readonly ms: number }
  /** Waits (up to 3 s) until the bot next switches typing on/off in the conversation: the next action lands mid-run. */
  | { readonly kind: 'untilBotTyping'; readonly conv: number; readonly typing: 'on' | 'off' }
  | { readonly kind: 'settle' };

export interface Scenario {
  readonly debounceMs: number;
  readonly responderDelayMs: number;
  readonly faults: FaultRule | null;
  readonly actions: readonly ScenarioAction[];
}

/**
 * Plays a scenario against the harness — customers, human agents and Chatwoot faults — logging
 * the ground truth as it happens (each action is synchronous in the simulator, so the log's
 * order is Chatwoot's order), then settles and collects what both sides ended up with.
 */
export async function runPipelineScenario(
  harness: ReusablePipelineHarness,
  scenario: Scenario,
): Promise<{ log: ScenarioLog; seen: PipelineObservations }> {
  const { sim } = harness;
  harness.timing.debounceMs = scenario.debounceMs;
  harness.responder.delayMs = scenario.responderDelayMs;
  if (scenario.faults) sim.faults.configure(scenario.faults);

  const events: LoggedEvent[] = [];
  const episodes: EpisodeStart[] = [];
  const conversations = new Map<number, number>();
  let seq = 0;
  let tokens = 0;
  let bursts = 0;
  const lastMessageId = (conversationId: number) => sim.messages(conversationId).at(-1)?.id ?? 0;
  const human = (
    conversationId: number,
    action: 'reply' | 'assign' | 'status',
    detail: string,
    act: () => void,
  ) => {
    act();
    events.push({
      kind: 'human',
      seq: seq++,
      conversationId,
      action,
      detail,
      at: Date.now(),
      mark: lastMessageId(conversationId),
    });
  };

  for (const action of scenario.actions) {
    if (action.kind === 'wait') {
      await sleep(action.ms);
      continue;
    }
    if (action.kind === 'settle') {
      await harness.settle();
      events.push({ kind: 'settled', seq: seq++ });
      continue;
    }
    const conversationId = conversations.get(action.conv);
    if (action.kind === 'untilBotTyping') {
      if (conversationId === undefined) continue;
      const typed = () =>
        sim
          .typingTimeline(conversationId)
          .filter((event) => event.performer === 'agent_bot' && event.typingStatus === action.typing).length;
      const before = typed();
      const deadline = Date.now() + 3_000;
      while (typed() === before && Date.now() < deadline) await sleep(2);
      continue;
    }
    if (action.kind === 'burst') {
      const burst = bursts++;
      for (let index = 0; index < action.size; index++) {
        if (index > 0 && action.gapMs > 0) await sleep(action.gapMs);
        const known = conversations.get(action.conv);
        const token = `c${action.conv}-m${tokens++}`;
        const wasResolved = known !== undefined && sim.conversation(known)?.status === 'resolved';
        const content =
          action.asksHuman && index === action.size - 1
            ? `${token} can I talk to a human?`
            : `${token} question`;
        const said = sim.customerSays({
          inboxId: INBOX_ID,
          content,
          ...(known === undefined ? { newConversation: true } : { conversationId: known }),
        });
        if (known === undefined) {
          conversations.set(action.conv, said.conversationId);
          episodes.push({ conversationId: said.conversationId, fromMessageId: 0, botOwned: true });
        } else if (wasResolved) {
          // Chatwoot reopens a resolved conversation as pending when the inbox has a bot.
          const after = sim.conversation(known)!;
          episodes.push({
            conversationId: known,
            fromMessageId: said.messageId,
            botOwned: after.status === 'pending' && after.assigneeId === null,
          });
        }
        events.push({
          kind: 'customer',
          seq: seq++,
          conversationId: said.conversationId,
          messageId: said.messageId,
          token,
          burst,
          sentAt: Date.now(),
        });
      }
      continue;
    }
    if (conversationId === undefined) continue;
    if (action.kind === 'humanReply') {
      human(conversationId, 'reply', 'public reply', () =>
        sim.agentReplies(conversationId, 'Hi, an agent here — I will take it from now.'),
      );
    } else if (action.kind === 'assign') {
      human(conversationId, 'assign', `user ${action.userId}`, () =>
        sim.agentAssigns(conversationId, action.userId),
      );
    } else {
      const before = sim.conversation(conversationId)!.status;
      const fromMessageId = lastMessageId(conversationId) + 1;
      human(conversationId, 'status', action.status, () =>
        sim.agentSetsStatus(conversationId, action.status),
      );
      // An agent reopening a resolved conversation starts a new episode — a human one.
      if (before === 'resolved' && action.status !== 'resolved')
        episodes.push({ conversationId, fromMessageId, botOwned: false });
    }
  }

  await harness.settle(90_000);
  return { log: { events, episodes }, seen: await observe(harness, [...conversations.values()]) };
}

async function observe(
  harness: ReusablePipelineHarness,
  conversationIds: number[],
): Promise<PipelineObservations> {
  const { sim } = harness;
  const db = harness.app.core.database.db;
  const received = await queryRows<{ message_id: string | number; at: Date | string }>(
    db,
    sql`select chatwoot_message_id as message_id, min(received_at) as at from webhook_deliveries where chatwoot_message_id is not null group by chatwoot_message_id`,
  );
  const lost = await queryRows<{ conversation_id: number; at: Date | string }>(
    db,
    sql`select c.chatwoot_conversation_id as conversation_id, coalesce(d.received_at, t.created_at) as at
        from ownership_transitions t
        join conversations c on c.id = t.conversation_id
        left join webhook_deliveries d on d.id = t.delivery_id
        where t.from_owner = 'bot' and t.to_owner <> 'bot'
        order by t.id`,
  );
  const botLostAt = new Map<number, number[]>();
  for (const row of lost)
    botLostAt.set(row.conversation_id, [
      ...(botLostAt.get(row.conversation_id) ?? []),
      new Date(row.at).getTime(),
    ]);
  return {
    conversations: new Map(
      conversationIds.map((id) => [
        id,
        {
          status: sim.conversation(id)!.status,
          messages: sim.messages(id),
          botTyping: sim
            .typingTimeline(id)
            .filter((event) => event.performer === 'agent_bot')
            .map((event) => ({ status: event.typingStatus, at: event.at })),
        },
      ]),
    ),
    apiCalls: sim.apiCalls(),
    receivedAt: new Map(received.map((row) => [Number(row.message_id), new Date(row.at).getTime()])),
    botLostAt,
  };
}
