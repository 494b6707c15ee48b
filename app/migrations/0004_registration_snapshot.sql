-- What the gateway serves for a client version is what was registered: the contracts active
-- at registration and a snapshot of the client's policies. Later changes wait for Re-Register.
ALTER TABLE contracts ADD COLUMN registered BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE client_versions ADD COLUMN registered_policies JSONB NOT NULL DEFAULT '[]'::jsonb;
