-- +goose Up
CREATE TABLE web_settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE web_messages (
    seq         BIGSERIAL PRIMARY KEY,
    visitor     TEXT NOT NULL,
    outbox_id   BIGINT,
    client_id   TEXT,
    payload     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (outbox_id),
    UNIQUE (visitor, client_id)
);
CREATE INDEX web_messages_visitor ON web_messages (visitor, seq);

-- +goose Down
DROP TABLE web_messages;
DROP TABLE web_settings;
