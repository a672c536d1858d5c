import type { ConversationAction, ResponderDecision } from '../../pipeline/responder.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';

export type HandoffDecision = Extract<ResponderDecision, { kind: 'handoff' }>;

export interface BuildHandoffInput {
  readonly settings: InboxSettings;
  readonly reason: string;
  readonly summary: string;
  /** A message the model wrote (in the customer's language); preferred while the team is available. */
  readonly modelMessage?: string;
  readonly isBusinessOpen: boolean;
  readonly actions?: readonly ConversationAction[];
}

/**
 * A handoff decision with the inbox's handoff actions. The customer message is, in order: the
 * out-of-hours message when the team is offline (nobody is coming "shortly"); the unavailable
 * message for `llm_unavailable`; the model's own message; the inbox's standard message ("" =
 * none). Handoff labels travel as an `add_labels` action; the team assignment is applied by the
 * pipeline from the inbox policy. Pure.
 */
export function buildHandoffDecision(input: BuildHandoffInput): HandoffDecision {
  const { settings } = input;
  const customerMessage = !input.isBusinessOpen
    ? settings.businessHours.outOfHoursMessage
    : input.reason === 'llm_unavailable'
      ? settings.handoffActions.unavailableMessage
      : input.modelMessage?.trim() || settings.handoffActions.customerMessage;
  const actions: ConversationAction[] = [...(input.actions ?? [])];
  if (settings.handoffActions.labels.length > 0)
    actions.push({ type: 'add_labels', labels: settings.handoffActions.labels });
  return {
    kind: 'handoff',
    reason: input.reason,
    summary: input.summary,
    ...(customerMessage ? { customerMessage } : {}),
    ...(actions.length > 0 ? { actions } : {}),
  };
}
