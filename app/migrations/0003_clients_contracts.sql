-- Clients, their versions with API keys, contracts, and client-level policies.

CREATE TABLE clients (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by  TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX clients_id_lower ON clients (org_id, lower(id));

-- `status` is always what domain::client::client_status computes from the other columns and
-- the contracts; it is stored so that lists and the gateway can filter on it.
CREATE TABLE client_versions (
    id            BIGSERIAL PRIMARY KEY,
    org_id        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'Created'
                  CHECK (status IN ('Created', 'Ready', 'AwaitingApproval', 'Registered', 'Retired')),
    api_key       TEXT NOT NULL UNIQUE,
    registered_at TIMESTAMPTZ,
    retired_at    TIMESTAMPTZ,
    -- A registered client changed since its registration must be registered again.
    changed_since_registration BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by    TEXT NOT NULL,
    FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
    UNIQUE (org_id, client_id, version)
);

-- A contract ties a client version to an API version through a plan version that API offers.
-- API and plan versions with contracts cannot be deleted.
CREATE TABLE contracts (
    id                BIGSERIAL PRIMARY KEY,
    client_version_id BIGINT NOT NULL REFERENCES client_versions (id) ON DELETE CASCADE,
    api_version_id    BIGINT NOT NULL REFERENCES api_versions (id) ON DELETE RESTRICT,
    plan_version_id   BIGINT NOT NULL REFERENCES plan_versions (id) ON DELETE RESTRICT,
    status            TEXT NOT NULL CHECK (status IN ('Active', 'AwaitingApproval')),
    requested_by      TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    approved_by       TEXT,
    approved_at       TIMESTAMPTZ,
    UNIQUE (client_version_id, api_version_id)
);
CREATE INDEX contracts_api_version ON contracts (api_version_id);
CREATE INDEX contracts_awaiting ON contracts (status) WHERE status = 'AwaitingApproval';

ALTER TABLE policies
    ADD COLUMN client_version_id BIGINT REFERENCES client_versions (id) ON DELETE CASCADE;
ALTER TABLE policies DROP CONSTRAINT policies_one_owner;
ALTER TABLE policies ADD CONSTRAINT policies_one_owner
    CHECK (num_nonnulls(api_version_id, plan_version_id, client_version_id) = 1);
CREATE INDEX policies_client_version ON policies (client_version_id, position);
