-- +goose Up
-- One row per Kakao user and utterance: the skill request that last
-- carried it, so a retry within seconds gets the first one's answer.
CREATE TABLE kakao_requests (
    user_key    TEXT NOT NULL,
    digest      TEXT NOT NULL,
    msg_id      TEXT NOT NULL,
    response    TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (user_key, digest)
);
CREATE INDEX kakao_requests_at ON kakao_requests (at);

-- +goose Down
DROP TABLE kakao_requests;
