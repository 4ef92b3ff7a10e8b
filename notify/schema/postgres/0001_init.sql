-- +goose Up
-- Claims make a thing happen once across instances: the first INSERT of a
-- key wins ("daily:2026-11-23", "sla80:12", "digest:…"). done_at is set when
-- the claimed work has been handed to the outbox; a claim left undone is
-- retried by whichever instance looks next.
CREATE TABLE notify_claims (
    id         BIGSERIAL PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ
);

-- What the router decided for each event and personal destination: sent
-- now, or held for a digest (folded into an earlier alert of the same key,
-- held for the end of quiet hours, over the hourly cap), and the digests.
CREATE TABLE notify_alerts (
    id         BIGSERIAL PRIMARY KEY,
    source     BIGINT NOT NULL,
    channel    TEXT NOT NULL,
    chat       TEXT NOT NULL,
    key        TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT '',
    priority   TEXT NOT NULL DEFAULT '',
    ticket     BIGINT NOT NULL DEFAULT 0,
    text       TEXT NOT NULL DEFAULT '',
    decision   TEXT NOT NULL,
    due_at     TIMESTAMPTZ NOT NULL,
    digest     BIGINT NOT NULL DEFAULT 0,
    sent_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (source, channel, chat)
);
CREATE INDEX notify_alerts_dest ON notify_alerts (channel, chat, created_at);
CREATE INDEX notify_alerts_key ON notify_alerts (channel, chat, key, sent_at);
CREATE INDEX notify_alerts_due ON notify_alerts (digest, due_at);

-- +goose Down
DROP TABLE notify_alerts;
DROP TABLE notify_claims;
