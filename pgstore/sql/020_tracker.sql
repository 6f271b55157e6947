-- Orders the status tracker polls (pgstore.NewTrackerStore). One row per tracked order, keyed
-- by provider, kind and the merchant's order number. item is the tracker's own record
-- (encoding/json of tracker.Item). due is when the order is next queried; claiming a row
-- moves due to the end of its lease and sets lease to a fresh token, so no other replica
-- claims it until then (FOR UPDATE SKIP LOCKED keeps concurrent claims apart).
CREATE TABLE IF NOT EXISTS {{prefix}}tracker (
    provider text        NOT NULL,
    kind     text        NOT NULL,
    order_id text        NOT NULL,
    due      timestamptz NOT NULL,
    lease    text,
    item     jsonb       NOT NULL,
    PRIMARY KEY (provider, kind, order_id)
);
CREATE INDEX IF NOT EXISTS {{prefix}}tracker_due ON {{prefix}}tracker (due);
