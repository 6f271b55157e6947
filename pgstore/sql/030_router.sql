-- The router's order index (pgstore.NewRouterStore): which provider holds each order, so
-- that a query goes back to it and a repeated create goes nowhere else. One row per (kind,
-- merchant order number); the router claims it (insert if absent) before a create is sent, and
-- moves it (an update compared with the row's xmin) only when that attempt provably created nothing.
CREATE TABLE IF NOT EXISTS {{prefix}}router_orders (
    kind       text        NOT NULL CHECK (kind IN ('payin', 'payout')),
    order_id   text        NOT NULL CHECK (octet_length(order_id) <= 255),
    provider   text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, order_id)
);
-- RouterStore.Purge deletes the rows last written before a time.
CREATE INDEX IF NOT EXISTS {{prefix}}router_orders_updated ON {{prefix}}router_orders (updated_at);
