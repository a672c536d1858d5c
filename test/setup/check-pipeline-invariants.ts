import type { ApiCall, MessageSnapshot } from '../../src/simulator/create-chatwoot-simulator.ts';

/**
 * The ground truth of a scenario as the test drove it, and the invariants of the reply pipeline
 * checked against what Chatwoot (the simulator) ended up with. Pure: observations in, violations
 * out, so the checker itself can be exercised with hand-made broken histories.
 *
 * Customer messages carry a unique token (`c<conv>-m<n>`). The scripted responder answers
 * "Re: <texts joined by ' | '>" and hands off with a private note that quotes the texts, so every
 * bot answer says exactly which customer messages it answered.
 */

export type HumanActionKind = 'reply' | 'assign' | 'status';

export type LoggedEvent =
  | {
      readonly kind: 'customer';
      readonly seq: number;
      readonly conversationId: number;
      readonly messageId: number;
      readonly token: string;
      readonly burst: number;
      readonly sentAt: number;
    }
  | {
      readonly kind: 'human';
      readonly seq: number;
      readonly conversationId: number;
      readonly action: HumanActionKind;
      readonly detail: string;
      readonly at: number;
      /** The conversation's last message id right after the action: a later message has a larger id. */
      readonly mark: number;
    }
  | { readonly kind: 'settled'; readonly seq: number };

/** Where an episode starts (first message id that belongs to it) and whether the bot owns it then. */
export interface EpisodeStart {
  readonly conversationId: number;
  readonly fromMessageId: number;
  readonly botOwned: boolean;
}

export interface ScenarioLog {
  readonly events: readonly LoggedEvent[];
  readonly episodes: readonly EpisodeStart[];
}

export interface PipelineObservations {
  readonly conversations: ReadonlyMap<
    number,
    {
      readonly status: string;
      readonly messages: readonly MessageSnapshot[];
      readonly botTyping: readonly { readonly status: 'on' | 'off'; readonly at: number }[];
    }
  >;
  readonly apiCalls: readonly ApiCall[];
  /** When the service received each Chatwoot message's webhook (its clock), by Chatwoot message id. */
  readonly receivedAt: ReadonlyMap<number, number>;
  /** When the service recorded the bot losing each conversation (from its ownership transitions), in order. */
  readonly botLostAt: ReadonlyMap<number, readonly number[]>;
}

export interface InvariantSettings {
  readonly debounceMs: number;
  /** Slack for commit latency and clock granularity when comparing times across the two sides. */
  readonly marginMs: number;
  readonly handoffCustomerMessage: string;
}

const TOKEN_PATTERN = /c\d+-m\d+/g;

interface BotAnswer {
  readonly kind: 'reply' | 'handoff_note';
  readonly message: MessageSnapshot;
  readonly tokens: readonly string[];
}

/** What a scenario exercised, so a suite of runs can show it tested something. */
export interface InvariantStats {
  answers: number;
  mustAnswer: number;
  takeovers: number;
  /** Takeovers while the bot was typing or within 500 ms after it stopped (between its run and its post). */
  takeoversMidRun: number;
  excused: number;
  faultedCalls: number;
}

export function checkPipelineInvariants(
  log: ScenarioLog,
  seen: PipelineObservations,
  settings: InvariantSettings,
): { violations: string[]; stats: InvariantStats } {
  const violations: string[] = [];
  const stats: InvariantStats = {
    answers: 0,
    mustAnswer: 0,
    takeovers: 0,
    takeoversMidRun: 0,
    excused: 0,
    faultedCalls: seen.apiCalls.filter((call) => call.fault !== null).length,
  };
  const customers = log.events.filter(
    (event): event is Extract<LoggedEvent, { kind: 'customer' }> => event.kind === 'customer',
  );
  const humans = log.events.filter(
    (event): event is Extract<LoggedEvent, { kind: 'human' }> => event.kind === 'human',
  );
  const byToken = new Map(customers.map((event) => [event.token, event]));

  for (const [conversationId, conversation] of seen.conversations) {
    const starts = log.episodes
      .filter((start) => start.conversationId === conversationId)
      .sort((a, b) => a.fromMessageId - b.fromMessageId);
    const episodeOf = (messageId: number) =>
      starts.filter((start) => start.fromMessageId <= messageId).length - 1;
    const botEpisode = (index: number) => starts[index]?.botOwned ?? false;
    /** When an episode began in Chatwoot: the creation time of its first message. */
    const startOf = (index: number) =>
      conversation.messages.find((message) => message.id >= (starts[index]?.fromMessageId ?? 0))?.createdAt ??
      0;
    const takeovers = humans.filter((event) => event.conversationId === conversationId);
    stats.takeovers += takeovers.length;
    for (const takeover of takeovers) {
      const typing = conversation.botTyping.filter((event) => event.at <= takeover.at).at(-1);
      if (typing && (typing.status === 'on' || takeover.at - typing.at < 500)) stats.takeoversMidRun += 1;
    }

    const answers: BotAnswer[] = [];
    for (const message of conversation.messages) {
      if (message.senderType !== 'agent_bot') continue;
      const tokens = (message.content ?? '').match(TOKEN_PATTERN) ?? [];
      if (!message.isPrivate && message.content?.startsWith('Re: '))
        answers.push({ kind: 'reply', message, tokens });
      else if (message.isPrivate && tokens.length > 0)
        answers.push({ kind: 'handoff_note', message, tokens });
      else if (!message.isPrivate && message.content !== settings.handoffCustomerMessage) {
        violations.push(
          `conversation ${conversationId}: unexpected bot message ${message.id} "${message.content}"`,
        );
      }
    }

    stats.answers += answers.length;

    // 1. Every customer message is answered at most once, only in its own conversation and episode
    //    (an answer Chatwoot received before the next episode began but stored later is excused).
    const answeredBy = new Map<string, BotAnswer>();
    for (const answer of answers) {
      for (const token of answer.tokens) {
        const sent = byToken.get(token);
        if (!sent || sent.conversationId !== conversationId) {
          violations.push(
            `conversation ${conversationId}: bot message ${answer.message.id} answers ${token}, a message of another conversation`,
          );
          continue;
        }
        const earlier = answeredBy.get(token);
        if (earlier)
          violations.push(
            `conversation ${conversationId}: ${token} answered twice (bot messages ${earlier.message.id} and ${answer.message.id})`,
          );
        answeredBy.set(token, answer);
        if (
          episodeOf(sent.messageId) !== episodeOf(answer.message.id) &&
          !postedBefore(conversationId, answer.message, startOf(episodeOf(answer.message.id)), seen)
        ) {
          violations.push(
            `conversation ${conversationId}: bot message ${answer.message.id} (episode ${episodeOf(answer.message.id)}) answers ${token} of episode ${episodeOf(sent.messageId)}`,
          );
        }
      }
    }

    // 2. No bot reply after a takeover (a human reply, assignment or status change) or after the
    //    bot's own handoff, in the same episode — unless the post was already on its way.
    for (const answer of answers) {
      if (answer.kind !== 'reply') continue;
      const episode = episodeOf(answer.message.id);
      if (!botEpisode(episode)) {
        violations.push(
          `conversation ${conversationId}: bot reply ${answer.message.id} in episode ${episode}, which a human owns from its start`,
        );
        continue;
      }
      const handoff = answers.find(
        (other) =>
          other.kind === 'handoff_note' &&
          other.message.id < answer.message.id &&
          episodeOf(other.message.id) === episode,
      );
      if (handoff)
        violations.push(
          `conversation ${conversationId}: bot reply ${answer.message.id} after the bot handed off (note ${handoff.message.id})`,
        );
      const takeover = takeovers.find(
        (event) => event.mark < answer.message.id && episodeOf(event.mark) === episode,
      );
      if (takeover) {
        const excuse = inFlightExcuse(conversationId, answer.message, takeover, seen, settings);
        if (excuse !== null) stats.excused += 1;
        if (excuse === null) {
          violations.push(
            `conversation ${conversationId}: bot reply ${answer.message.id} "${answer.message.content}" after the human ${takeover.action} (${takeover.detail}) at mark ${takeover.mark}`,
          );
        }
      }
    }
    // The handoff's public message comes from a decision taken while the bot still owned the
    // conversation; it must not talk over a human who replied or changed the status since.
    // (A human assigning themselves meanwhile is fine: "connecting you with a colleague" is true.)
    for (const message of conversation.messages) {
      if (
        message.senderType !== 'agent_bot' ||
        message.isPrivate ||
        message.content !== settings.handoffCustomerMessage
      )
        continue;
      const episode = episodeOf(message.id);
      const takeover = takeovers.find(
        (event) => event.action !== 'assign' && event.mark < message.id && episodeOf(event.mark) === episode,
      );
      if (takeover && inFlightExcuse(conversationId, message, takeover, seen, settings) === null) {
        violations.push(
          `conversation ${conversationId}: handoff message ${message.id} after the human ${takeover.action} (${takeover.detail}) at mark ${takeover.mark}`,
        );
      }
    }

    // 3. Every message the bot owned gets exactly one answer (reply or handoff). A message is owned
    //    when its episode is the bot's, nothing took the episode over before it, and nothing took it
    //    over afterwards before the system had settled.
    const ownCustomers = customers.filter((event) => event.conversationId === conversationId);
    for (const sent of ownCustomers) {
      const episode = episodeOf(sent.messageId);
      if (!botEpisode(episode)) continue;
      const inEpisode = takeovers.filter((event) => episodeOf(event.mark) === episode);
      if (inEpisode.some((event) => event.seq < sent.seq)) continue;
      const next = inEpisode.find((event) => event.seq > sent.seq);
      if (
        next &&
        !log.events.some((event) => event.kind === 'settled' && event.seq > sent.seq && event.seq < next.seq)
      )
        continue;
      const handoffBefore = answers.find(
        (answer) =>
          answer.kind === 'handoff_note' &&
          episodeOf(answer.message.id) === episode &&
          answer.tokens.some((token) => (byToken.get(token)?.seq ?? Infinity) <= sent.seq),
      );
      if (handoffBefore && !answeredBy.has(sent.token)) continue;
      stats.mustAnswer += 1;
      if (!answeredBy.has(sent.token))
        violations.push(
          `conversation ${conversationId}: ${sent.token} (message ${sent.messageId}) was never answered`,
        );
    }

    // 4. At most one answer per burst: a burst is split only when its next message reached the
    //    service a whole debounce window after the previous one.
    const bursts = new Map<number, typeof ownCustomers>();
    for (const sent of ownCustomers) bursts.set(sent.burst, [...(bursts.get(sent.burst) ?? []), sent]);
    for (const [burst, messages] of bursts) {
      for (let index = 1; index < messages.length; index++) {
        const previous = messages[index - 1]!;
        const current = messages[index]!;
        const a = answeredBy.get(previous.token);
        const b = answeredBy.get(current.token);
        if (!a || !b || a === b) continue;
        const gap =
          (seen.receivedAt.get(current.messageId) ?? Infinity) -
          (seen.receivedAt.get(previous.messageId) ?? -Infinity);
        if (gap < settings.debounceMs - settings.marginMs) {
          violations.push(
            `conversation ${conversationId}: burst ${burst} split between bot messages ${a.message.id} and ${b.message.id} although ${current.token} arrived ${gap} ms after ${previous.token} (debounce ${settings.debounceMs} ms)`,
          );
        }
      }
    }

    // 5. The bot's typing indicator always ends off.
    if (conversation.botTyping.at(-1)?.status === 'on')
      violations.push(`conversation ${conversationId}: the bot's typing indicator was left on`);

    // 6. The bot never overrides the status a human set last (e.g. reopens a resolved
    //    conversation), unless its toggle was already on its way.
    const lastStatus = [...takeovers].reverse().find((event) => event.action === 'status');
    const lastCustomer = ownCustomers.at(-1);
    if (
      lastStatus &&
      (!lastCustomer || lastCustomer.seq < lastStatus.seq) &&
      conversation.status !== lastStatus.detail
    ) {
      const toggles = seen.apiCalls.filter(
        (call) =>
          call.method === 'POST' &&
          call.path.endsWith(`/conversations/${conversationId}/toggle_status`) &&
          call.status === 200 &&
          call.at + call.durationMs >= lastStatus.at,
      );
      const excused =
        toggles.length > 0 &&
        toggles.every(
          (call) =>
            excuseFor(
              seen.apiCalls,
              conversationId,
              call,
              (other) => other.path === call.path && other.method === 'POST',
              lastStatus,
              seen,
              settings,
            ) !== null,
        );
      if (!excused)
        violations.push(
          `conversation ${conversationId}: a human set it ${lastStatus.detail} last, but it ended ${conversation.status}`,
        );
    }
  }
  return { violations, stats };
}

/**
 * A bot message created after a takeover is excused only when the pipeline could not have known:
 * its POST reached Chatwoot before the takeover, or it was the first attempt after an ownership
 * check (GET /conversations/:id) made before the service learned of the takeover — and, for a
 * status or assignee change, before Chatwoot's answer could show it. A POST repeated after a
 * failed attempt without a new check is not excused.
 */
function inFlightExcuse(
  conversationId: number,
  message: MessageSnapshot,
  takeover: Extract<LoggedEvent, { kind: 'human' }>,
  seen: PipelineObservations,
  settings: InvariantSettings,
): string | null {
  const isSameMessage = (call: ApiCall) =>
    call.method === 'POST' &&
    call.path.endsWith(`/conversations/${conversationId}/messages`) &&
    contentOf(call) === message.content;
  const created = seen.apiCalls.find((call) => isSameMessage(call) && call.status === 200);
  if (!created) return null;
  return excuseFor(seen.apiCalls, conversationId, created, isSameMessage, takeover, seen, settings);
}

/** See {@link inFlightExcuse}; `effect` is the call that took effect, `isAttempt` finds its attempts. */
function excuseFor(
  calls: readonly ApiCall[],
  conversationId: number,
  effect: ApiCall,
  isAttempt: (call: ApiCall) => boolean,
  takeover: Extract<LoggedEvent, { kind: 'human' }>,
  seen: PipelineObservations,
  settings: InvariantSettings,
): string | null {
  if (effect.at <= takeover.at) return 'sent before the takeover';
  // Only the bot calls Chatwoot's API in these scenarios; faulted calls carry no token kind.
  const check = calls
    .filter(
      (call) =>
        call.method === 'GET' &&
        call.path.endsWith(`/conversations/${conversationId}`) &&
        call.at <= effect.at,
    )
    .at(-1);
  if (!check) return null;
  const retried = calls.some(
    (call) => call !== effect && isAttempt(call) && call.at > check.at && call.at < effect.at,
  );
  if (retried) return null;
  const learnedAt =
    (seen.botLostAt.get(conversationId) ?? []).find((at) => at >= takeover.at - settings.marginMs) ??
    takeover.at;
  if (check.at > learnedAt + settings.marginMs) return null;
  if (takeover.action !== 'reply' && check.status === 200 && check.at > takeover.at) return null;
  return 'checked before the takeover was known';
}

/** The POST that created `message` reached Chatwoot by `time` (Chatwoot was slow to store it). */
function postedBefore(
  conversationId: number,
  message: MessageSnapshot,
  time: number,
  seen: PipelineObservations,
): boolean {
  const created = seen.apiCalls.find(
    (call) =>
      call.method === 'POST' &&
      call.status === 200 &&
      call.path.endsWith(`/conversations/${conversationId}/messages`) &&
      contentOf(call) === message.content,
  );
  return created !== undefined && created.at <= time;
}

function contentOf(call: ApiCall): string | null {
  try {
    const body = JSON.parse(call.body) as { content?: unknown };
    return typeof body.content === 'string' ? body.content : null;
  } catch {
    return null;
  }
}
