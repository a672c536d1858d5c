import type { KnowledgeSearch } from '../../knowledge/knowledge-search.ts';
import { buildHandoffDecision } from '../run/build-handoff-decision.ts';
import { formatReply } from '../run/format-reply.ts';
import { type TurnOutcome, type TurnRequest, toRunPassage, turnText } from '../run/turn.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';
import { createRunRecorder } from '../tools/run-recorder.ts';
import { focusPassage } from './focus-passage.ts';
import { scorePassageMatch } from './score-passage-match.ts';

const CANDIDATES = 8;

/**
 * The offline responder's turn: search, score every candidate (score-passage-match.ts), answer
 * with the best FAQ's answer or the best passage when it clears its threshold, with its source;
 * hand off with `no_answer` otherwise. No model is involved and nothing is invented: the reply
 * is the team's own text.
 */
export async function answerFromKnowledge(
  deps: { readonly knowledge: KnowledgeSearch },
  input: {
    readonly request: TurnRequest;
    readonly settings: InboxSettings;
    readonly isBusinessOpen: boolean;
  },
): Promise<TurnOutcome> {
  const { settings, request } = input;
  const text = turnText(request);
  const found = text
    ? await deps.knowledge.search(
        { query: text.slice(-1_000), inboxId: request.inboxId ?? undefined, limit: CANDIDATES },
        request.signal,
      )
    : [];
  const recorder = createRunRecorder();
  const numbered = recorder.addPassages(found);
  const matches = numbered.map((entry) => ({ entry, match: scorePassageMatch(text, entry.passage) }));
  const passages = matches.map(({ entry, match }) => toRunPassage(entry, match.confidence));

  const best = (kind: 'faq' | 'passage') =>
    matches
      .filter(({ match }) => (kind === 'faq' ? match.faq !== null : match.passage.kind === 'passage'))
      .sort(
        (a, b) => b.match.confidence - a.match.confidence || b.match.passage.score - a.match.passage.score,
      )[0];
  const faq = best('faq');
  const passage = best('passage');
  const chosen =
    faq && faq.match.confidence >= settings.offline.faqThreshold
      ? { entry: faq.entry, body: faq.match.faq!.answer, reason: 'faq_match' }
      : passage && passage.match.confidence >= settings.offline.passageThreshold
        ? {
            entry: passage.entry,
            body: focusPassage(passage.match.passage.content, text, settings.offline.maxPassageLength),
            reason: 'passage_match',
          }
        : null;

  if (!chosen) {
    const top = [faq, passage]
      .filter(Boolean)
      .map((item) => `${item!.match.passage.citation.title} (${item!.match.confidence})`);
    return {
      decision: buildHandoffDecision({
        settings,
        reason: 'no_answer',
        summary: `The knowledge base has no confident answer (best: ${top.join(', ') || 'nothing found'}).\nCustomer's message: ${text.slice(0, 500) || '(no text)'}`,
        isBusinessOpen: input.isBusinessOpen,
      }),
      passages,
      toolCalls: [],
      usage: null,
      isGrounded: false,
    };
  }
  const reply = formatReply(
    `${chosen.body} [${chosen.entry.number}]`,
    numbered,
    settings.replyStyle,
    settings.citations,
  );
  return {
    decision: { kind: 'reply', messages: reply.messages, citations: reply.citations, reason: chosen.reason },
    passages,
    toolCalls: [],
    usage: null,
    isGrounded: true,
  };
}
