-- Callbacks being handled or handled (pgstore.NewDeduper). One row per webhook.Key: the
-- primary key is what makes concurrent claims safe. A row in state 'claimed' is held by the
-- replica whose token is in owner until expires_at (the lease); a row in state 'done' means
-- handled, remembered until expires_at. Keys longer than 255 bytes are stored as their
-- SHA-256 ("sha256:" and 64 hex digits).
CREATE TABLE IF NOT EXISTS {{prefix}}dedupe (
    key        text        PRIMARY KEY CHECK (octet_length(key) <= 255),
    state      text        NOT NULL CHECK (state IN ('claimed', 'done')),
    owner      uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CHECK ((state = 'claimed') = (owner IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS {{prefix}}dedupe_expires_at ON {{prefix}}dedupe (expires_at);
