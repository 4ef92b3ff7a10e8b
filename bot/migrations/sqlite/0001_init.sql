-- +goose Up
CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    chat        TEXT NOT NULL,
    user_id     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT '',
    state_data  TEXT NOT NULL DEFAULT '',
    answered    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (channel, chat)
);

CREATE TABLE inbound (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT NOT NULL,
    platform_id     TEXT NOT NULL,
    chat            TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    owner           INTEGER NOT NULL DEFAULT 0,
    text            TEXT NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    UNIQUE (channel, platform_id)
);
CREATE INDEX inbound_chat ON inbound (channel, chat, received_at);
CREATE INDEX inbound_received ON inbound (received_at);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    chat        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ticket      BIGINT NOT NULL DEFAULT 0,
    source      BIGINT NOT NULL DEFAULT 0,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP,
    platform_id TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (channel, status, next_at, id);
CREATE INDEX outbox_chat ON outbox (channel, chat, status, id);
CREATE INDEX outbox_ticket ON outbox (channel, chat, ticket, id);
CREATE UNIQUE INDEX outbox_source ON outbox (source, channel, chat) WHERE source <> 0;
CREATE INDEX outbox_platform ON outbox (channel, chat, platform_id);

CREATE TABLE verifications (
    conversation_id BIGINT NOT NULL,
    order_number    TEXT NOT NULL,
    verified_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (conversation_id, order_number)
);

CREATE TABLE verify_failures (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL,
    at              TIMESTAMP NOT NULL
);
CREATE INDEX verify_failures_conv ON verify_failures (conversation_id, at);

CREATE TABLE learned (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id   TEXT NOT NULL,
    question   TEXT NOT NULL,
    ticket_id  BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (entry_id, question)
);

-- +goose Down
DROP TABLE learned;
DROP TABLE verify_failures;
DROP TABLE verifications;
DROP TABLE outbox;
DROP TABLE inbound;
DROP TABLE conversations;
