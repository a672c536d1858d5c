import type { TranscriptEntry } from '../../pipeline/responder.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';
import { describeBudget, type ExhaustedBudget } from './check-budgets.ts';
import { detectHumanRequest } from './detect-human-request.ts';

export interface PreRunFacts {
  readonly settings: InboxSettings;
  readonly newMessages: readonly TranscriptEntry[];
  readonly isBusinessOpen: boolean;
  /** Null for `ask` (no conversation). */
  readonly botTurnsInEpisode: number | null;
  readonly unansweredTurns: number;
  readonly exhaustedBudget: ExhaustedBudget | null;
}

export interface PreRunHandoff {
  readonly reason:
    'customer_asked_for_human' | 'outside_business_hours' | 'max_turns' | 'unanswered_turns' | 'usage_limit';
  readonly summary: string;
}

/**
 * Handoffs decided before spending anything on a model, in priority order: the customer asked
 * for a human; the team is closed and the inbox hands off when closed; the episode's turn cap;
 * too many unanswered turns in a row; an exhausted budget. Pure.
 */
export function decidePreRunHandoff(facts: PreRunFacts): PreRunHandoff | null {
  const { settings } = facts;
  const text = facts.newMessages.map((message) => message.content ?? '').join('\n');
  if (settings.handoff.onCustomerRequest && detectHumanRequest(text)) {
    return {
      reason: 'customer_asked_for_human',
      summary: `The customer asked to talk to a person.\nTheir message: ${excerpt(text)}`,
    };
  }
  if (!facts.isBusinessOpen && settings.businessHours.whenClosed === 'handoff') {
    return {
      reason: 'outside_business_hours',
      summary: `Message received outside business hours; the bot does not answer then.\nTheir message: ${excerpt(text)}`,
    };
  }
  if (facts.botTurnsInEpisode !== null && facts.botTurnsInEpisode >= settings.limits.maxBotTurnsPerEpisode) {
    return {
      reason: 'max_turns',
      summary: `The bot already replied ${facts.botTurnsInEpisode} times in this conversation without resolving it.\nLatest message: ${excerpt(text)}`,
    };
  }
  const limit = settings.handoff.afterUnansweredTurns;
  if (limit > 0 && facts.unansweredTurns >= limit) {
    return {
      reason: 'unanswered_turns',
      summary: `The bot's last ${facts.unansweredTurns} replies could not draw on the knowledge base.\nLatest message: ${excerpt(text)}`,
    };
  }
  if (facts.exhaustedBudget) {
    return {
      reason: 'usage_limit',
      summary: `The AI usage limit was reached: ${describeBudget(facts.exhaustedBudget)}.\nLatest message: ${excerpt(text)}`,
    };
  }
  return null;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat || '(no text)';
}
