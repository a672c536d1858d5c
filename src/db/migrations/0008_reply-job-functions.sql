-- The reply job's database work in as few round trips as possible: a claim and a commit, each one
-- statement that runs server-side. Under load every client round trip waits for the event loop and
-- for PostgreSQL, and the claim and the commit each held the conversation's row lock across
-- several of them, holding up ingress on the same conversation.
--
-- Both are VOLATILE functions, so every statement in them takes a fresh snapshot: once the row lock
-- is held, the statements after it see everything the ingress transaction it waited for committed,
-- exactly as the statements of a client-side transaction did.

-- The claim (src/pipeline/claim-burst.ts): lock the conversation, waiting for any ingress
-- transaction that holds it, then read what the run needs. A job that starts before the burst's
-- due time (p_early_after = now + tolerance) gets the row only, and defers itself.
CREATE OR REPLACE FUNCTION claim_reply_burst(p_conversation_id bigint, p_early_after timestamptz)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_conversation conversations;
BEGIN
  SELECT * INTO v_conversation FROM conversations WHERE id = p_conversation_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_conversation.reply_due_at > p_early_after THEN
    RETURN jsonb_build_object('conversation', to_jsonb(v_conversation), 'isEarly', true);
  END IF;
  RETURN jsonb_build_object(
    'conversation', to_jsonb(v_conversation),
    'isEarly', false,
    'hasUnsettledOutbox', EXISTS (
      SELECT 1 FROM outbound_messages o
       WHERE o.conversation_id = p_conversation_id AND o.status IN ('pending', 'sending')),
    'episode', (
      SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.chatwoot_message_id), '[]'::jsonb)
        FROM transcript_messages t
       WHERE t.conversation_id = p_conversation_id AND t.episode = v_conversation.episode));
END
$$;
--> statement-breakpoint

-- The commit (src/pipeline/commit-decision.ts): lock the conversation, re-check that the bot still
-- owns the episode, record the decision with its ordered effects (the outbox) and mark the burst
-- answered, atomically.
--
-- p_first_sending: the first effect is posted right after this commit, its ownership checked in
-- Chatwoot before the call and here under the lock; it is stored as `sending` (attempt 1) so that
-- a crash before the post is reconciled, never posted twice.
CREATE OR REPLACE FUNCTION commit_reply_decision(
  p_conversation_id bigint,
  p_episode integer,
  p_decision text,
  p_reason text,
  p_answered_message_ids jsonb,
  p_run_id text,
  p_job_id text,
  p_actions jsonb,
  p_effects jsonb,
  p_last_answered_message_id bigint,
  p_count_bot_turn boolean,
  p_handoff_reason text,
  p_first_sending boolean,
  p_now timestamptz
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_owner text;
  v_episode integer;
  v_decision_id bigint;
  v_effects jsonb;
BEGIN
  SELECT owner, episode INTO v_owner, v_episode
    FROM conversations WHERE id = p_conversation_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('committed', false, 'reason', 'conversation_gone');
  END IF;
  IF v_owner <> 'bot' OR v_episode <> p_episode THEN
    INSERT INTO reply_decisions (conversation_id, episode, decision, reason, answered_message_ids, run_id, job_id, actions)
      VALUES (p_conversation_id, p_episode, 'dropped', 'ownership_lost_before_post', p_answered_message_ids,
              p_run_id, p_job_id, '[]'::jsonb);
    RETURN jsonb_build_object('committed', false, 'reason', 'ownership_lost_before_post');
  END IF;

  INSERT INTO reply_decisions (conversation_id, episode, decision, reason, answered_message_ids, run_id, job_id, actions)
    VALUES (p_conversation_id, p_episode, p_decision, p_reason, p_answered_message_ids, p_run_id, p_job_id,
            coalesce(p_actions, '[]'::jsonb))
    RETURNING id INTO v_decision_id;

  WITH inserted AS (
    INSERT INTO outbound_messages (conversation_id, decision_id, episode, sequence, kind, content, is_private,
                                   echo_id, status, attempts, last_attempt_at)
    SELECT p_conversation_id, v_decision_id, p_episode, x.sequence, x.kind, x.content, x.is_private,
           'cwa-' || v_decision_id || '-' || x.sequence,
           CASE WHEN p_first_sending AND x.sequence = 0 THEN 'sending' ELSE 'pending' END,
           CASE WHEN p_first_sending AND x.sequence = 0 THEN 1 ELSE 0 END,
           CASE WHEN p_first_sending AND x.sequence = 0 THEN p_now END
      FROM jsonb_to_recordset(p_effects) AS x(sequence integer, kind text, content text, is_private boolean)
     ORDER BY x.sequence
    RETURNING id, sequence, status, attempts, created_at
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'sequence', sequence, 'status', status,
                                               'attempts', attempts, 'createdAt', created_at)
                            ORDER BY sequence), '[]'::jsonb)
    INTO v_effects FROM inserted;

  -- Messages that arrived during the run stay unanswered; first_unanswered_at finds the oldest.
  UPDATE conversations SET
    last_answered_message_id = p_last_answered_message_id,
    first_unanswered_at = (
      SELECT t.received_at FROM transcript_messages t
       WHERE t.conversation_id = p_conversation_id AND t.episode = p_episode AND t.role = 'customer'
         AND t.chatwoot_message_id > p_last_answered_message_id
       ORDER BY t.chatwoot_message_id LIMIT 1),
    bot_turns_in_episode = bot_turns_in_episode + CASE WHEN p_count_bot_turn THEN 1 ELSE 0 END,
    owner = CASE WHEN p_handoff_reason IS NULL THEN owner ELSE 'human' END,
    owner_reason = CASE WHEN p_handoff_reason IS NULL THEN owner_reason ELSE 'bot_handed_off' END,
    updated_at = now()
  WHERE id = p_conversation_id;

  IF p_handoff_reason IS NOT NULL THEN
    INSERT INTO ownership_transitions (conversation_id, from_owner, to_owner, episode, event, reason)
      VALUES (p_conversation_id, 'bot', 'human', p_episode, 'bot_handoff', 'bot_handed_off:' || p_handoff_reason);
  END IF;

  RETURN jsonb_build_object('committed', true, 'decisionId', v_decision_id, 'effects', v_effects);
END
$$;
