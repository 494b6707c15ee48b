-- The request log is read by API version only (the Log Analyzer of an API version or of an
-- organization's API versions; client charts come from the rollups), so its index by client
-- was never used, while every logged request paid for it: at full gateway speed Postgres spent
-- about a third of its analytics time keeping it (200,000 rows by COPY: ~1.1 s with both
-- indexes, ~0.75 s with the API's alone).
DROP INDEX IF EXISTS analytics_log_client;
