-- Webhook bodies (~2-3 KB of JSON) are compressed when their row is written. PostgreSQL's default,
-- pglz, was ~7 % of the server's CPU under bench:ingress (perf); lz4 compresses the same bodies in a
-- fraction of that time. Only new rows are affected. PGlite is built without lz4 (SQLSTATE 0A000):
-- it keeps pglz.
DO $$
BEGIN
  ALTER TABLE webhook_deliveries ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available in this build: webhook bodies stay compressed with pglz';
END
$$;
