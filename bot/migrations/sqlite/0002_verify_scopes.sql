-- +goose Up
-- Failed verifications are counted per order and per network too, not
-- only per conversation: a new web visitor is a new conversation.
ALTER TABLE verify_failures ADD COLUMN order_number TEXT NOT NULL DEFAULT '';
ALTER TABLE verify_failures ADD COLUMN network TEXT NOT NULL DEFAULT '';
CREATE INDEX verify_failures_order ON verify_failures (order_number, at);
CREATE INDEX verify_failures_network ON verify_failures (network, at);

-- +goose Down
DROP INDEX verify_failures_network;
DROP INDEX verify_failures_order;
ALTER TABLE verify_failures DROP COLUMN network;
ALTER TABLE verify_failures DROP COLUMN order_number;
