-- Users, sessions, organizations, memberships and the audit trail.

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    portal_only   BOOLEAN NOT NULL DEFAULT FALSE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- Only a hash of the session token is stored, so a database leak does not leak sessions.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_username ON sessions (username);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by  TEXT NOT NULL
);
-- Ids appear in gateway URLs; two ids differing only in case would confuse people.
CREATE UNIQUE INDEX organizations_id_lower ON organizations (lower(id));

CREATE TABLE memberships (
    org_id   TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('owner', 'api_developer', 'client_developer', 'viewer')),
    PRIMARY KEY (org_id, username)
);
CREATE INDEX memberships_username ON memberships (username);

-- No foreign key to organizations: the trail outlives a deleted organization.
CREATE TABLE audit_entries (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor       TEXT NOT NULL,
    org_id      TEXT,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    data        JSONB NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_entries_org ON audit_entries (org_id, at DESC);
