-- The queue's functions find their rows by index whatever the planner believes of the tables
-- (docs/decisions/2026-12-07-lookups-by-index.md). Their plans are cached per connection, made once
-- from the statistics of that moment: on a new or never-analysed table (autovacuum off, or not yet
-- run) the planner sized the JSON parameters at 100 rows and the queued rows at half the table, and
-- read every conversation (the deferred bursts, the next due time) and every reply ever sent (the
-- settle's UPDATE ... FROM) on every claim, for as long as the connection lived.
--
-- claim_due_replies: sequential scans off for its statements (the queued rows are few and have
-- their partial index), and the deferred conversations looked up one by one by their key.
-- settle_reply_claims: the replies sent are marked one by one by primary key.
-- Same signatures and results as migration 0011.
CREATE OR REPLACE FUNCTION claim_due_replies(p_limit integer, p_now timestamptz, p_lease_until timestamptz, p_deferred jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $$
DECLARE
  v_claimed jsonb;
  v_next timestamptz;
  v_deferred jsonb := '[]'::jsonb;
BEGIN
  WITH due AS (
    SELECT c.id FROM conversations c
     WHERE c.reply_queued AND c.reply_due_at <= p_now AND (c.reply_lease_until IS NULL OR c.reply_lease_until <= p_now)
       AND NOT (c.reply_due_at > p_now - interval '2 seconds' AND EXISTS (
             SELECT 1 FROM jsonb_to_recordset(coalesce(p_deferred, '[]'::jsonb))
                          AS d(connection text, account_id integer, chatwoot_conversation_id integer)
              WHERE d.connection = c.connection AND d.account_id = c.account_id
                AND d.chatwoot_conversation_id = c.chatwoot_conversation_id))
     ORDER BY c.reply_due_at
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

  IF jsonb_array_length(coalesce(p_deferred, '[]'::jsonb)) > 0 THEN
    SELECT coalesce(jsonb_agg(jsonb_build_object('connection', c.connection, 'account_id', c.account_id,
                                                 'chatwoot_conversation_id', c.chatwoot_conversation_id)), '[]'::jsonb)
      INTO v_deferred
      FROM jsonb_to_recordset(p_deferred) AS d(connection text, account_id integer, chatwoot_conversation_id integer)
     CROSS JOIN LATERAL (
           SELECT * FROM conversations c
            WHERE c.connection = d.connection AND c.account_id = d.account_id
              AND c.chatwoot_conversation_id = d.chatwoot_conversation_id
           OFFSET 0) c
     WHERE c.reply_queued AND c.reply_due_at <= p_now AND c.reply_due_at > p_now - interval '2 seconds'
       AND (c.reply_lease_until IS NULL OR c.reply_lease_until <= p_now);
  END IF;

  RETURN jsonb_build_object('claims', v_claimed, 'nextReadyAt', v_next, 'deferred', v_deferred);
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION settle_reply_claims(
  p_ids bigint[],
  p_claims uuid[],
  p_retry_at timestamptz,
  p_sent jsonb,
  p_claim_limit integer,
  p_now timestamptz,
  p_lease_until timestamptz,
  p_deferred jsonb
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_released integer := 0;
  v_sent record;
  v_claimed jsonb := jsonb_build_object('claims', '[]'::jsonb, 'nextReadyAt', NULL, 'deferred', '[]'::jsonb);
BEGIN
  IF jsonb_array_length(coalesce(p_sent, '[]'::jsonb)) > 0 THEN
    FOR v_sent IN SELECT * FROM jsonb_to_recordset(p_sent) AS x(id bigint, chatwoot_message_id bigint, sent_at timestamptz) LOOP
      UPDATE outbound_messages
         SET status = 'sent', chatwoot_message_id = v_sent.chatwoot_message_id, sent_at = v_sent.sent_at, last_error = NULL
       WHERE id = v_sent.id;
    END LOOP;
  END IF;

  FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    IF release_reply_claim(p_ids[i], p_claims[i], p_retry_at) THEN
      v_released := v_released + 1;
    END IF;
  END LOOP;

  IF p_claim_limit > 0 THEN
    v_claimed := claim_due_replies(p_claim_limit, p_now, p_lease_until, p_deferred);
  END IF;
  RETURN v_claimed || jsonb_build_object('released', v_released);
END
$$;
