-- +goose Up
-- The reference a customer sees ("문의 K7Q2XM"): random, so it tells no
-- one how many tickets the shop has. The id stays the owner's number.
ALTER TABLE tickets ADD COLUMN ref TEXT NOT NULL DEFAULT '';
UPDATE tickets SET ref = upper(hex(randomblob(4))) WHERE ref = '';
CREATE UNIQUE INDEX tickets_ref ON tickets (ref) WHERE ref <> '';

-- +goose Down
DROP INDEX tickets_ref;
ALTER TABLE tickets DROP COLUMN ref;
