-- Personal organizations are marked by the system when Sign Up creates one, and Sign Up finds
-- a user's personal organization by this mark only, never by its name (anyone may create an
-- organization called "bob-personal").
ALTER TABLE organizations ADD COLUMN personal_of TEXT REFERENCES users (username) ON DELETE SET NULL;
CREATE UNIQUE INDEX organizations_personal_of ON organizations (personal_of) WHERE personal_of IS NOT NULL;

-- Organizations that Sign Up created before the mark existed: made by the user themselves, with
-- the name and description Sign Up gives. The oldest one per user wins.
UPDATE organizations o SET personal_of = f.created_by
FROM (
    SELECT DISTINCT ON (created_by) id, created_by FROM organizations
    WHERE name = created_by || ' (personal)'
      AND description = 'Created for your Developer Portal sign-ups.'
    ORDER BY created_by, created_at, id
) f
WHERE o.id = f.id AND EXISTS (SELECT 1 FROM users u WHERE u.username = f.created_by);

-- Members whom a non-administrator adds are invited: they join when they accept. The username is
-- kept as typed, with no reference to users, so that inviting says nothing about whether such an
-- account exists.
CREATE TABLE invitations (
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'api_developer', 'client_developer', 'viewer')),
    invited_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invitations_org_user ON invitations (org_id, lower(username));
CREATE INDEX invitations_user ON invitations (lower(username));
