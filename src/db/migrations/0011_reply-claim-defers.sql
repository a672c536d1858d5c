-- The claim leaves alone, for a moment, the conversations whose customer is being heard
-- (src/jobs/create-reply-queue.ts, docs/decisions/2026-12-06-reply-queue-on-the-conversation.md,
-- "A burst still arriving").
--
-- p_deferred: conversations {connection, account_id, chatwoot_conversation_id} with a customer
-- message that the calling process has received and not yet committed. Their burst would be
-- claimed without it and the message answered by a second run; its own commit NOTIFYs the workers,
-- and the claim that follows takes the whole burst. Deferred only while the burst has been due for
-- less than 2 s, so a conversation whose customer never stops writing is still answered. The result's
-- `deferred` names the conversations left alone: the caller wakes its loop when their message is
-- committed (the commit's NOTIFY may have been handled before, by the claim that deferred them).
--
-- The two functions are those of migrations 0009 and 0010 with the parameter added (a new
-- argument list is a new function: the old ones are dropped first).
DROP FUNCTION settle_reply_claims(bigint[], uuid[], timestamptz, jsonb, integer, timestamptz, timestamptz);
--> statement-breakpoint
DROP FUNCTION claim_due_replies(integer, timestamptz, timestamptz);
--> statement-breakpoint

CREATE FUNCTION claim_due_replies(p_limit integer, p_now timestamptz, p_lease_until timestamptz, p_deferred jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
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
      FROM conversations c
      JOIN jsonb_to_recordset(p_deferred) AS d(connection text, account_id integer, chatwoot_conversation_id integer)
        ON d.connection = c.connection AND d.account_id = c.account_id AND d.chatwoot_conversation_id = c.chatwoot_conversation_id
     WHERE c.reply_queued AND c.reply_due_at <= p_now AND c.reply_due_at > p_now - interval '2 seconds'
       AND (c.reply_lease_until IS NULL OR c.reply_lease_until <= p_now);
  END IF;

  RETURN jsonb_build_object('claims', v_claimed, 'nextReadyAt', v_next, 'deferred', v_deferred);
END
$$;
--> statement-breakpoint

CREATE FUNCTION settle_reply_claims(
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
  v_claimed jsonb := jsonb_build_object('claims', '[]'::jsonb, 'nextReadyAt', NULL, 'deferred', '[]'::jsonb);
BEGIN
  IF jsonb_array_length(coalesce(p_sent, '[]'::jsonb)) > 0 THEN
    UPDATE outbound_messages o
       SET status = 'sent', chatwoot_message_id = x.chatwoot_message_id, sent_at = x.sent_at, last_error = NULL
      FROM jsonb_to_recordset(p_sent) AS x(id bigint, chatwoot_message_id bigint, sent_at timestamptz)
     WHERE o.id = x.id;
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
