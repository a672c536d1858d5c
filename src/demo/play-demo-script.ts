import type { ChatwootSimulator } from '../simulator/create-chatwoot-simulator.ts';
import { DEMO_AGENT_USER_ID, DEMO_INBOX_ID } from './demo-world.ts';

export interface DemoCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface DemoIo {
  readonly print: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * The scripted conversation: a question answered with its source, a burst answered once, a
 * Portuguese question answered in Portuguese, a request for a human handed off with a note, the
 * human's reply, and the bot staying silent afterwards. Returns one check per expectation.
 */
export async function playDemoScript(
  sim: ChatwootSimulator,
  io: DemoIo,
  waitMs: number,
): Promise<DemoCheck[]> {
  const checks: DemoCheck[] = [];
  const check = (name: string, passed: boolean, detail: string) => {
    checks.push({ name, passed, detail });
    io.print(`   ${passed ? '✔' : '✘'} ${name}${passed ? '' : ` — ${detail}`}`);
  };
  const customer = (conversationId: number | undefined, content: string) => {
    io.print(`👤 Maria: ${content}`);
    return sim.customerSays({
      inboxId: DEMO_INBOX_ID,
      content,
      ...(conversationId
        ? { conversationId }
        : { contact: { name: 'Maria Lopez', email: 'maria.lopez@example.com' } }),
    });
  };
  const botMessagesAfter = (conversationId: number, afterId: number) =>
    sim
      .messages(conversationId)
      .filter((message) => message.id > afterId && message.senderType === 'agent_bot');
  const waitForBot = async (conversationId: number, afterId: number) => {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && botMessagesAfter(conversationId, afterId).length === 0)
      await io.sleep(100);
    await io.sleep(600); // let any (wrong) second message arrive before judging
    await sim.idle();
    const messages = botMessagesAfter(conversationId, afterId);
    for (const message of messages)
      io.print(
        `${message.isPrivate ? '📝 private note by the bot' : '🤖 ACME Assistant'}: ${message.content ?? ''}`,
      );
    return messages;
  };

  io.print('\n— 1. A question answered from the help centre, with its source');
  const first = customer(undefined, 'Hi! How long does delivery to Canada take, and how much does it cost?');
  const conversationId = first.conversationId;
  let replies = await waitForBot(conversationId, first.messageId);
  check(
    'the question gets exactly one answer',
    replies.length === 1 && !replies[0]!.isPrivate,
    `${replies.length} bot messages`,
  );
  check(
    'the answer has the facts and cites its source',
    /5–10 business days|CA\$12/.test(replies[0]?.content ?? '') &&
      /source|shipping/i.test(replies[0]?.content ?? ''),
    replies[0]?.content ?? '(none)',
  );

  io.print('\n— 2. A burst of three messages gets one reply');
  let last = 0;
  for (const text of [
    'Another thing:',
    'I bought a jacket 2 weeks ago',
    'can I still return it and how long does the refund take?',
  ]) {
    last = customer(conversationId, text).messageId;
    await io.sleep(250);
  }
  replies = await waitForBot(conversationId, last);
  check('the burst gets exactly one reply', replies.length === 1, `${replies.length} bot messages`);
  check(
    'the reply is about returns',
    /return|refund|30 days/i.test(replies[0]?.content ?? ''),
    replies[0]?.content ?? '(none)',
  );

  io.print('\n— 3. A question in Portuguese, answered from the Portuguese help centre');
  const pt = sim.customerSays({
    inboxId: DEMO_INBOX_ID,
    content: 'Olá! Quais são as formas de pagamento aceitas? Posso pagar com Pix?',
    contact: { name: 'João Silva', email: 'joao@example.com' },
  });
  io.print('👤 João: Olá! Quais são as formas de pagamento aceitas? Posso pagar com Pix?');
  replies = await waitForBot(pt.conversationId, pt.messageId);
  check('the Portuguese question gets one answer', replies.length === 1, `${replies.length} bot messages`);
  check(
    'the answer comes from the Portuguese pages',
    /pix|pagamento|cartão/i.test(replies[0]?.content ?? ''),
    replies[0]?.content ?? '(none)',
  );

  io.print('\n— 4. The customer asks for a human: handoff with a note for the team');
  const ask = customer(conversationId, 'This is getting complicated, can I talk to a real person please?');
  const handoff = await waitForBot(conversationId, ask.messageId);
  const handoffDeadline = Date.now() + waitMs;
  while (sim.conversation(conversationId)?.status !== 'open' && Date.now() < handoffDeadline)
    await io.sleep(100);
  const note = handoff.find((message) => message.isPrivate);
  check(
    'a private note tells the human why and what happened',
    note !== undefined && /human|person|handed/i.test(note.content ?? ''),
    note?.content ?? '(no note)',
  );
  check(
    'the conversation is open for the human team',
    sim.conversation(conversationId)?.status === 'open',
    `status ${sim.conversation(conversationId)?.status}`,
  );

  io.print('\n— 5. The human replies; the bot stays silent from now on');
  io.print(
    '🧑 Daniel (human agent): Hi Maria, Daniel here — I have your order in front of me, let me sort out the return for you.',
  );
  sim.agentReplies(
    conversationId,
    'Hi Maria, Daniel here — I have your order in front of me, let me sort out the return for you.',
    { userId: DEMO_AGENT_USER_ID },
  );
  await io.sleep(300);
  const after = customer(conversationId, 'Thank you Daniel! How long does shipping to Canada take again?');
  await io.sleep(Math.min(waitMs, 4_000));
  await sim.idle();
  const intrusions = botMessagesAfter(conversationId, after.messageId - 1);
  check(
    'the bot does not talk over the human',
    intrusions.length === 0,
    `${intrusions.length} bot messages after the human took over`,
  );
  const typing = sim.typingTimeline(conversationId).filter((event) => event.performer === 'agent_bot');
  check(
    'the typing indicator ended off',
    typing.length === 0 || typing.at(-1)!.typingStatus === 'off',
    `last typing event: ${typing.at(-1)?.typingStatus}`,
  );
  return checks;
}
