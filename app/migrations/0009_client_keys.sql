-- API keys get a life of their own: a client version holds one or more, each with its creator,
-- an optional expiry (set by Rotate: the grace period of the key it replaces), a revocation,
-- and an approximate last use (written by gateways off the request path). A key's state
-- (Active, Expiring, Revoked, Expired) follows from these columns: domain::keys::KeyLife.

CREATE TABLE client_keys (
    id                BIGSERIAL PRIMARY KEY,
    client_version_id BIGINT NOT NULL REFERENCES client_versions (id) ON DELETE CASCADE,
    api_key           TEXT NOT NULL UNIQUE,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by        TEXT NOT NULL,
    expires_at        TIMESTAMPTZ,
    revoked_at        TIMESTAMPTZ,
    revoked_by        TEXT,
    last_used_at      TIMESTAMPTZ,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX client_keys_client_version ON client_keys (client_version_id, id);

INSERT INTO client_keys (client_version_id, api_key, created_at, created_by)
SELECT id, api_key, created_at, created_by FROM client_versions ORDER BY id;

ALTER TABLE client_versions DROP COLUMN api_key;
