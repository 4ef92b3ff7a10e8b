-- +goose Up
-- Whether a customer message presses the owner (counts towards the third
-- message that makes a complaint or cancellation urgent). Thanks, greetings
-- and questions the bot answered do not.
ALTER TABLE ticket_messages ADD COLUMN presses INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE ticket_messages DROP COLUMN presses;
