-- The reply queue's heartbeat (src/jobs/create-reply-queue.ts, touch): refreshes the leases of the
-- claims this process still holds and returns the conversations it refreshed. One row at a time by
-- primary key, in the caller's (id) order, as release_reply_claim does: each UPDATE locks its own row,
-- so the locks are taken in id order, and no plan can turn the lookups into a scan of the table (the
-- statement it replaces joined an unnest to conversations, which the planner, from a small or
-- unanalysed table, hashed over a sequential scan: docs/decisions/2026-12-07-lookups-by-index.md).
CREATE OR REPLACE FUNCTION refresh_reply_leases(p_ids bigint[], p_claims uuid[], p_lease_until timestamptz)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    RETURN QUERY
      UPDATE conversations SET reply_lease_until = p_lease_until
       WHERE id = p_ids[i] AND reply_claim = p_claims[i]
      RETURNING id;
  END LOOP;
END
$$;
