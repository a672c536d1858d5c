-- Ending runs and starting the next ones in one round trip (src/jobs/create-reply-queue.ts,
-- docs/decisions/2026-12-06-reply-queue-on-the-conversation.md, "Settle and claim together").
--
-- p_sent: the posts the runs made, {id, chatwoot_message_id, sent_at} per outbox row. They are
-- recorded here, in the statement that ends the claims, instead of in a round trip of their own
-- after each post: until then the rows stay `sending`, and a worker that dies in between leaves
-- them for the next claim to reconcile against Chatwoot's echo, as any interrupted send is.
--
-- The claims are released one by one in the caller's (id) order, as release_reply_claim does it.
-- Then, with p_claim_limit > 0, up to that many due bursts are claimed in the same transaction:
-- the slots the runs free are refilled at once, and a conversation whose customer wrote during
-- its run (still due after its release) is claimed again without waiting for a fetch.
CREATE OR REPLACE FUNCTION settle_reply_claims(
  p_ids bigint[],
  p_claims uuid[],
  p_retry_at timestamptz,
  p_sent jsonb,
  p_claim_limit integer,
  p_now timestamptz,
  p_lease_until timestamptz
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_released integer := 0;
  v_claimed jsonb := jsonb_build_object('claims', '[]'::jsonb, 'nextReadyAt', NULL);
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
    v_claimed := claim_due_replies(p_claim_limit, p_now, p_lease_until);
  END IF;
  RETURN v_claimed || jsonb_build_object('released', v_released);
END
$$;
