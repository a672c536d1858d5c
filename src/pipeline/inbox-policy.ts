/** What the pipeline itself needs to know about an inbox (the agent's settings carry much more). */
export interface InboxPolicy {
  readonly enabled: boolean;
  /** Replies per episode before the bot hands off (`max_turns`); 0 = unlimited. */
  readonly maxBotTurns: number;
  readonly handoff: {
    readonly labels: readonly string[];
    readonly teamId: number | null;
    /** Public message when the responder gives none; null = say nothing. */
    readonly defaultCustomerMessage: string | null;
  };
}

export const DEFAULT_INBOX_POLICY: InboxPolicy = {
  enabled: true,
  maxBotTurns: 0,
  handoff: { labels: [], teamId: null, defaultCustomerMessage: null },
};

export type InboxPolicyLookup = (connection: string, inboxId: number) => Promise<InboxPolicy>;
