-- +goose Up
CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    channel           TEXT NOT NULL,
    chat              TEXT NOT NULL,
    customer          TEXT NOT NULL DEFAULT '',
    order_number      TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL,
    priority          TEXT NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    priority_rank     INTEGER NOT NULL CHECK (priority_rank BETWEEN 0 AND 3),
    status            TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved')),
    subject           TEXT NOT NULL DEFAULT '',
    lang              TEXT NOT NULL DEFAULT '',
    claimed_by        TEXT NOT NULL DEFAULT '',
    resolved_by       TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    due_at            TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    resolved_at       TIMESTAMP,
    messages          INTEGER NOT NULL DEFAULT 0
);
-- One unresolved ticket per conversation.
CREATE UNIQUE INDEX tickets_one_open ON tickets (channel, chat) WHERE status <> 'resolved';
CREATE INDEX tickets_queue ON tickets (status, priority_rank, due_at);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_resolved ON tickets (resolved_at);
CREATE INDEX tickets_conversation ON tickets (channel, chat);

CREATE TABLE ticket_messages (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author    TEXT NOT NULL CHECK (author IN ('customer', 'owner', 'bot')),
    by_name   TEXT NOT NULL DEFAULT '',
    text      TEXT NOT NULL,
    at        TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- +goose Down
DROP TABLE ticket_messages;
DROP TABLE tickets;
