-- The number of the last change announced to gateways. Every change that reaches gateways
-- increments it in its own transaction and sends the new value with its notification, so a
-- gateway that sees a number skipped knows it missed one and reloads. The row lock this takes
-- orders those transactions: numbers commit, and so are heard, in order, and a rollback gives
-- its number back.
CREATE TABLE registry_sequence (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    seq BIGINT NOT NULL
);
INSERT INTO registry_sequence (one, seq) VALUES (TRUE, 0);
