-- An API version's own trusted CA certificates (PEM), for upstreams behind a private CA.
-- NULL: the operating system's trust store alone.
ALTER TABLE api_versions ADD COLUMN upstream_ca_pem TEXT;
