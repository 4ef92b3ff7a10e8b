-- +goose Up
CREATE TABLE products (
    sku          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    price        BIGINT NOT NULL DEFAULT 0,
    stock        INTEGER NOT NULL DEFAULT 0,
    safety_stock INTEGER NOT NULL DEFAULT 0,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE orders (
    number          TEXT PRIMARY KEY,
    customer_name   TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    total           BIGINT NOT NULL DEFAULT 0,
    carrier         TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL DEFAULT '',
    ordered_at      TIMESTAMP NOT NULL,
    paid_at         TIMESTAMP,
    shipped_at      TIMESTAMP,
    delivered_at    TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX orders_ordered_at ON orders (ordered_at);
CREATE INDEX orders_status_paid_at ON orders (status, paid_at);

CREATE TABLE order_items (
    order_number TEXT NOT NULL REFERENCES orders (number) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    sku          TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    qty          INTEGER NOT NULL DEFAULT 0,
    price        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (order_number, line)
);

CREATE TABLE shop_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE shop_meta;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE products;
