-- Plans, APIs, the plans an API version offers, and policies.
-- Entities reference their organization without cascading: an organization that still holds
-- any of them cannot be deleted.

CREATE TABLE plans (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by  TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX plans_id_lower ON plans (org_id, lower(id));

CREATE TABLE plan_versions (
    id         BIGSERIAL PRIMARY KEY,
    org_id     TEXT NOT NULL,
    plan_id    TEXT NOT NULL,
    version    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'Created' CHECK (status IN ('Created', 'Locked')),
    locked_on  TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by TEXT NOT NULL,
    FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
    UNIQUE (org_id, plan_id, version)
);

CREATE TABLE apis (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by  TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX apis_id_lower ON apis (org_id, lower(id));

CREATE TABLE api_versions (
    id           BIGSERIAL PRIMARY KEY,
    org_id       TEXT NOT NULL,
    api_id       TEXT NOT NULL,
    version      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'Created'
                 CHECK (status IN ('Created', 'Ready', 'Published', 'Retired')),
    endpoint     TEXT NOT NULL DEFAULT '',
    public       BOOLEAN NOT NULL DEFAULT FALSE,
    featured     BOOLEAN NOT NULL DEFAULT FALSE,
    markdown     TEXT NOT NULL DEFAULT '',
    published_at TIMESTAMPTZ,
    retired_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by   TEXT NOT NULL,
    FOREIGN KEY (org_id, api_id) REFERENCES apis (org_id, id) ON DELETE CASCADE,
    UNIQUE (org_id, api_id, version)
);

-- A plan version in use by an API cannot be deleted.
CREATE TABLE api_plans (
    api_version_id    BIGINT NOT NULL REFERENCES api_versions (id) ON DELETE CASCADE,
    plan_version_id   BIGINT NOT NULL REFERENCES plan_versions (id) ON DELETE RESTRICT,
    requires_approval BOOLEAN NOT NULL DEFAULT FALSE,
    position          INT NOT NULL DEFAULT 0,
    PRIMARY KEY (api_version_id, plan_version_id)
);

-- Exactly one owner per policy; clients join in a later migration.
CREATE TABLE policies (
    id              BIGSERIAL PRIMARY KEY,
    api_version_id  BIGINT REFERENCES api_versions (id) ON DELETE CASCADE,
    plan_version_id BIGINT REFERENCES plan_versions (id) ON DELETE CASCADE,
    policy_type     TEXT NOT NULL,
    config          JSONB NOT NULL,
    position        INT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT policies_one_owner CHECK (num_nonnulls(api_version_id, plan_version_id) = 1)
);
CREATE INDEX policies_api_version ON policies (api_version_id, position);
CREATE INDEX policies_plan_version ON policies (plan_version_id, position);
