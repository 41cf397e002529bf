-- +goose Up
-- Outbound webhooks: an organisation's endpoints, the events that happened
-- (written in the same transaction as the change that caused them), one
-- delivery per (event, endpoint) handed to the queue through the outbox, and
-- every attempt with what the receiver answered. Plus the API keys partners
-- such as Greenhouse use to call Assay.

CREATE TABLE webhook_endpoints (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    url                         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description                 text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    event_types                 text[] NOT NULL CHECK (cardinality(event_types) >= 1),
    -- The signing secret must be readable to sign with, so it is kept as is
    -- (whsec_ + base64) and never returned after creation or rotation.
    secret                      text NOT NULL,
    -- After a rotation the old secret signs too until it expires, so
    -- receivers can switch without dropping a message.
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    enabled                     boolean NOT NULL DEFAULT true,
    disabled_reason             text NOT NULL DEFAULT '',
    -- First failed attempt since the last success; an endpoint failing
    -- every delivery for five days is disabled.
    failing_since               timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_org_created_idx ON webhook_endpoints (org_id, created_at DESC, id DESC);

CREATE TABLE webhook_events (
    id          text PRIMARY KEY,   -- evt_...: stable across redeliveries, receivers deduplicate on it
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type        text NOT NULL,
    data        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_org_created_idx ON webhook_events (org_id, created_at DESC);

CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_id          text NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    -- An endpoint's delivery, or a partner callback to a URL the partner gave
    -- (Greenhouse's url_to_notify): exactly one of the two.
    endpoint_id       uuid REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    callback_url      text,
    callback_kind     text,
    state             text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    last_status_code  integer,
    last_error        text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    CHECK ((endpoint_id IS NULL) <> (callback_url IS NULL))
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    id            bigserial PRIMARY KEY,
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at  timestamptz NOT NULL DEFAULT now(),
    status_code   integer,            -- null when no response came
    error         text NOT NULL DEFAULT '',
    response      text NOT NULL DEFAULT '',  -- the first 1 KB of the body
    duration_ms   integer NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

CREATE TABLE partner_api_keys (
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    partner     text NOT NULL CHECK (partner IN ('greenhouse')),
    -- SHA-256 of the key, to find the organisation of a request; the key is
    -- shown once.
    key_hash    bytea NOT NULL UNIQUE,
    -- The key sealed (AES-GCM) with a key derived from ASSAY_SECRET_KEY:
    -- Greenhouse's completion callback authenticates with it (HTTP Basic).
    key_sealed  bytea NOT NULL,
    created_by  uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, partner)
);

-- +goose Down
DROP TABLE partner_api_keys;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;
