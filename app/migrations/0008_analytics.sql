-- Gateway analytics (server/src/gateway/analytics.rs writes, app/src/store/analytics/ reads):
-- a request log and per-minute and per-hour rollups by (API version, client version, plan
-- version, status, method).
--
-- No foreign keys: rows outlive the versions they name (ids come from BIGSERIALs and are never
-- reused), and deleting an API must not rewrite millions of log rows. The request log and the
-- minute rollups are partitioned by UTC day (partitions `<table>_YYYYMMDD`, created ahead by
-- the writer and dropped when expired); the hour rollups are small and expire by DELETE.
-- Several gateway processes write their own rows: the rollups add up by upsert, the log by
-- insert.

-- A latency histogram is a BIGINT[] of counts in fixed logarithmic buckets
-- (app/src/domain/analytics/histogram.rs); merging two is element-wise addition.
CREATE FUNCTION analytics_hist_add(a BIGINT[], b BIGINT[]) RETURNS BIGINT[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i INT;
BEGIN
    IF cardinality(a) = 0 THEN
        RETURN b;
    END IF;
    FOR i IN 1..least(cardinality(a), cardinality(b)) LOOP
        a[i] := a[i] + b[i];
    END LOOP;
    RETURN a;
END
$$;

CREATE AGGREGATE analytics_hist_sum(BIGINT[]) (
    SFUNC = analytics_hist_add,
    STYPE = BIGINT[],
    INITCOND = '{}',
    COMBINEFUNC = analytics_hist_add,
    PARALLEL = SAFE
);

CREATE SEQUENCE analytics_log_id CACHE 1000;

CREATE TABLE analytics_log (
    at                TIMESTAMPTZ NOT NULL,
    id                BIGINT NOT NULL DEFAULT nextval('analytics_log_id'),
    api_version_id    BIGINT NOT NULL,
    client_version_id BIGINT,
    plan_version_id   BIGINT,
    method            TEXT NOT NULL,
    -- The normalised path below the API, cut at 1,024 bytes.
    path              TEXT NOT NULL,
    status            SMALLINT NOT NULL,
    latency_us        BIGINT NOT NULL,
    bytes_in          BIGINT NOT NULL,
    bytes_out         BIGINT NOT NULL,
    client_ip         INET,
    -- The API key as the log line shows it: its first four characters.
    key_hint          TEXT,
    -- A policy failure code ("10005") or an engine error ("InvalidApiKey").
    failure           TEXT
) PARTITION BY RANGE (at);
-- Newest first per API, with the id breaking ties for cursor paging.
CREATE INDEX analytics_log_api ON analytics_log (api_version_id, at DESC, id DESC);
CREATE INDEX analytics_log_client ON analytics_log (client_version_id, at DESC, id DESC);

CREATE TABLE analytics_minutes (
    minute            TIMESTAMPTZ NOT NULL,
    api_version_id    BIGINT NOT NULL,
    client_version_id BIGINT,
    plan_version_id   BIGINT,
    status            SMALLINT NOT NULL,
    method            TEXT NOT NULL,
    requests          BIGINT NOT NULL,
    bytes_in          BIGINT NOT NULL,
    bytes_out         BIGINT NOT NULL,
    latency_us_sum    BIGINT NOT NULL,
    latency_hist      BIGINT[] NOT NULL,
    CONSTRAINT analytics_minutes_key UNIQUE NULLS NOT DISTINCT
        (minute, api_version_id, client_version_id, plan_version_id, status, method)
) PARTITION BY RANGE (minute);
CREATE INDEX analytics_minutes_api ON analytics_minutes (api_version_id, minute);
CREATE INDEX analytics_minutes_client ON analytics_minutes (client_version_id, minute);

CREATE TABLE analytics_hours (
    hour              TIMESTAMPTZ NOT NULL,
    api_version_id    BIGINT NOT NULL,
    client_version_id BIGINT,
    plan_version_id   BIGINT,
    status            SMALLINT NOT NULL,
    method            TEXT NOT NULL,
    requests          BIGINT NOT NULL,
    bytes_in          BIGINT NOT NULL,
    bytes_out         BIGINT NOT NULL,
    latency_us_sum    BIGINT NOT NULL,
    latency_hist      BIGINT[] NOT NULL,
    CONSTRAINT analytics_hours_key UNIQUE NULLS NOT DISTINCT
        (hour, api_version_id, client_version_id, plan_version_id, status, method)
);
CREATE INDEX analytics_hours_api ON analytics_hours (api_version_id, hour);
CREATE INDEX analytics_hours_client ON analytics_hours (client_version_id, hour);

-- Per-API series: the same rollups without client, plan and method, for the charts of an API or
-- an organization (a 30-day chart of a busy API reads a few thousand rows here instead of
-- hundreds of thousands above; merging histograms costs microseconds per row). Written from the
-- same batches; expired by DELETE with the minute and hour retention.
CREATE TABLE analytics_api_minutes (
    minute          TIMESTAMPTZ NOT NULL,
    api_version_id  BIGINT NOT NULL,
    status          SMALLINT NOT NULL,
    requests        BIGINT NOT NULL,
    bytes_in        BIGINT NOT NULL,
    bytes_out       BIGINT NOT NULL,
    latency_us_sum  BIGINT NOT NULL,
    latency_hist    BIGINT[] NOT NULL,
    CONSTRAINT analytics_api_minutes_key PRIMARY KEY (api_version_id, minute, status)
);
CREATE INDEX analytics_api_minutes_time ON analytics_api_minutes (minute);

CREATE TABLE analytics_api_hours (
    hour            TIMESTAMPTZ NOT NULL,
    api_version_id  BIGINT NOT NULL,
    status          SMALLINT NOT NULL,
    requests        BIGINT NOT NULL,
    bytes_in        BIGINT NOT NULL,
    bytes_out       BIGINT NOT NULL,
    latency_us_sum  BIGINT NOT NULL,
    latency_hist    BIGINT[] NOT NULL,
    CONSTRAINT analytics_api_hours_key PRIMARY KEY (api_version_id, hour, status)
);
CREATE INDEX analytics_api_hours_time ON analytics_api_hours (hour);

-- Who called: the rollups by (API, client, plan) alone, with their errors (status >= 400), for
-- the "top clients", "by plan" and "top APIs" tables and the Log Analyzer's filter choices (tens
-- of rows per API and hour instead of one per status and method as well).
CREATE TABLE analytics_party_minutes (
    minute            TIMESTAMPTZ NOT NULL,
    api_version_id    BIGINT NOT NULL,
    client_version_id BIGINT,
    plan_version_id   BIGINT,
    requests          BIGINT NOT NULL,
    errors            BIGINT NOT NULL,
    CONSTRAINT analytics_party_minutes_key UNIQUE NULLS NOT DISTINCT
        (api_version_id, minute, client_version_id, plan_version_id)
);
CREATE INDEX analytics_party_minutes_client ON analytics_party_minutes (client_version_id, minute);
CREATE INDEX analytics_party_minutes_time ON analytics_party_minutes (minute);

CREATE TABLE analytics_party_hours (
    hour              TIMESTAMPTZ NOT NULL,
    api_version_id    BIGINT NOT NULL,
    client_version_id BIGINT,
    plan_version_id   BIGINT,
    requests          BIGINT NOT NULL,
    errors            BIGINT NOT NULL,
    CONSTRAINT analytics_party_hours_key UNIQUE NULLS NOT DISTINCT
        (api_version_id, hour, client_version_id, plan_version_id)
);
CREATE INDEX analytics_party_hours_client ON analytics_party_hours (client_version_id, hour);
CREATE INDEX analytics_party_hours_time ON analytics_party_hours (hour);
