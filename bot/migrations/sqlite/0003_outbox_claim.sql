-- +goose Up
-- The token of the sender that holds a message: renewals and outcomes are
-- recorded only under it, so a sender whose claim lapsed and was taken
-- over cannot renew or overwrite the new holder's.
ALTER TABLE outbox ADD COLUMN claim TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN claim;
