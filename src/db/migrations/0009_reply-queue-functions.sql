-- The reply queue on the conversation row (docs/decisions/2026-12-06-reply-queue-on-the-conversation.md):
-- a claim, a commit and a release, each one round trip that runs server-side. They are VOLATILE
-- functions: every statement in them takes a fresh snapshot, so once a row lock is held the
-- statements after it see everything the ingress transaction it waited for committed, exactly as
-- the statements of a client-side transaction would.

-- Bursts the queue held before it moved here: the old queue never cleared reply_due_at, so it is
-- kept only where the bot owes the customer an answer (then the first worker claims it).
UPDATE conversations c
   SET reply_due_at = CASE
         WHEN c.owner = 'bot' AND EXISTS (
           SELECT 1 FROM transcript_messages t
            WHERE t.conversation_id = c.id AND t.episode = c.episode AND t.role = 'customer'
              AND t.chatwoot_message_id > coalesce(c.last_answered_message_id, -1))
         THEN coalesce(c.reply_due_at, now())
       END
 WHERE c.reply_due_at IS NOT NULL OR c.owner = 'bot';
--> statement-breakpoint

-- The claim: up to p_limit conversations whose burst is due and that no live claim holds, each
-- with a new claim token, a lease until p_lease_until and what its run needs (the row, whether an
-- earlier attempt left outbox rows to post, the episode's transcript). Rows an ingress transaction
-- holds are skipped, not waited for: that transaction's NOTIFY wakes the workers once it commits.
-- nextReadyAt: when the next burst becomes due (or a claim lapses), for the caller's timer.
CREATE OR REPLACE FUNCTION claim_due_replies(p_limit integer, p_now timestamptz, p_lease_until timestamptz)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_claimed jsonb;
  v_next timestamptz;
BEGIN
  WITH due AS (
    SELECT id FROM conversations
     WHERE reply_queued AND reply_due_at <= p_now AND (reply_lease_until IS NULL OR reply_lease_until <= p_now)
     ORDER BY reply_due_at
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE conversations c
       SET reply_claim = gen_random_uuid(), reply_lease_until = p_lease_until,
           reply_attempts = c.reply_attempts + 1
      FROM due
     WHERE c.id = due.id
    RETURNING c.*
  )
  SELECT coalesce(jsonb_agg(to_jsonb(claimed)), '[]'::jsonb) INTO v_claimed FROM claimed;

  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'conversation', x.row,
           'hasUnsettledOutbox', EXISTS (
             SELECT 1 FROM outbound_messages o
              WHERE o.conversation_id = (x.row->>'id')::bigint AND o.status IN ('pending', 'sending')),
           'episode', (
             SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.chatwoot_message_id), '[]'::jsonb)
               FROM transcript_messages t
              WHERE t.conversation_id = (x.row->>'id')::bigint AND t.episode = (x.row->>'episode')::integer))),
         '[]'::jsonb)
    INTO v_claimed
    FROM jsonb_array_elements(v_claimed) AS x(row);

  SELECT min(greatest(reply_due_at, coalesce(reply_lease_until, reply_due_at))) INTO v_next
    FROM conversations
   WHERE reply_queued AND greatest(reply_due_at, coalesce(reply_lease_until, reply_due_at)) > p_now;

  RETURN jsonb_build_object('claims', v_claimed, 'nextReadyAt', v_next);
END
$$;
--> statement-breakpoint

-- The release, when a run ends. Done (p_retry_at null): the burst is answered, and the
-- conversation is due again only if the bot owes an answer to customer messages that arrived
-- during the run (ingress moved reply_due_at for them). Failed: due again at p_retry_at (backoff).
-- Returns false when the claim is no longer this one (it lapsed and another worker holds the burst).
CREATE OR REPLACE FUNCTION release_reply_claim(p_conversation_id bigint, p_claim uuid, p_retry_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v conversations;
BEGIN
  SELECT * INTO v FROM conversations WHERE id = p_conversation_id FOR UPDATE;
  IF NOT FOUND OR v.reply_claim IS DISTINCT FROM p_claim THEN
    RETURN false;
  END IF;
  IF p_retry_at IS NOT NULL THEN
    UPDATE conversations SET reply_claim = NULL, reply_lease_until = NULL, reply_due_at = p_retry_at
     WHERE id = p_conversation_id;
    RETURN true;
  END IF;
  UPDATE conversations
     SET reply_claim = NULL, reply_lease_until = NULL, reply_attempts = 0,
         reply_due_at = CASE
           WHEN v.owner = 'bot' AND EXISTS (
             SELECT 1 FROM transcript_messages t
              WHERE t.conversation_id = p_conversation_id AND t.episode = v.episode AND t.role = 'customer'
                AND t.chatwoot_message_id > coalesce(v.last_answered_message_id, -1))
           THEN v.reply_due_at
         END
   WHERE id = p_conversation_id;
  RETURN true;
END
$$;
--> statement-breakpoint

-- The commit (src/pipeline/commit-decision.ts): lock the conversation, re-check that this run still
-- holds the burst (p_claim, also recorded as the decision's job id; null skips the check) and that
-- the bot still owns the episode, record the decision with its ordered effects (the outbox) and
-- mark the burst answered, atomically.
--
-- p_first_sending: the first effect is posted right after this commit, its ownership checked in
-- Chatwoot before the call and here under the lock; it is stored as `sending` (attempt 1) so that
-- a crash before the post is reconciled, never posted twice.
CREATE OR REPLACE FUNCTION commit_reply_decision(
  p_conversation_id bigint,
  p_claim uuid,
  p_episode integer,
  p_decision text,
  p_reason text,
  p_answered_message_ids jsonb,
  p_run_id text,
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
  v_claim uuid;
  v_decision_id bigint;
  v_effects jsonb;
BEGIN
  SELECT owner, episode, reply_claim INTO v_owner, v_episode, v_claim
    FROM conversations WHERE id = p_conversation_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('committed', false, 'reason', 'conversation_gone');
  END IF;
  IF p_claim IS NOT NULL AND v_claim IS DISTINCT FROM p_claim THEN
    -- The claim lapsed and another run holds the burst: it decides, this one records nothing.
    RETURN jsonb_build_object('committed', false, 'reason', 'claim_lost');
  END IF;
  IF v_owner <> 'bot' OR v_episode <> p_episode THEN
    INSERT INTO reply_decisions (conversation_id, episode, decision, reason, answered_message_ids, run_id, job_id, actions)
      VALUES (p_conversation_id, p_episode, 'dropped', 'ownership_lost_before_post', p_answered_message_ids,
              p_run_id, p_claim::text, '[]'::jsonb);
    RETURN jsonb_build_object('committed', false, 'reason', 'ownership_lost_before_post');
  END IF;

  INSERT INTO reply_decisions (conversation_id, episode, decision, reason, answered_message_ids, run_id, job_id, actions)
    VALUES (p_conversation_id, p_episode, p_decision, p_reason, p_answered_message_ids, p_run_id, p_claim::text,
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
