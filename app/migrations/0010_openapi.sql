-- An API version's OpenAPI definition: the document as uploaded or pasted (checked by
-- domain::openapi::parse before it is stored) and its format, kept for downloads.
ALTER TABLE api_versions
    ADD COLUMN openapi_doc    TEXT,
    ADD COLUMN openapi_format TEXT CHECK (openapi_format IN ('Json', 'Yaml')),
    ADD CONSTRAINT api_versions_openapi_whole CHECK ((openapi_doc IS NULL) = (openapi_format IS NULL));
