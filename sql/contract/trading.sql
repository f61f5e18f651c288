-- Contract of the trading source (SPEC §2). A deployment maps its vendor
-- schema onto these relations, usually with views; the daemon only SELECTs.
-- Amounts are yuan, numeric(18,2); updated_at is set on every insert/update.

CREATE TABLE centers (
    center_code text PRIMARY KEY,
    name        text NOT NULL,
    parent_code text NULL REFERENCES centers (center_code),
    level       text NOT NULL CHECK (level IN ('province', 'city', 'county'))
);

CREATE TABLE deals (
    deal_id          text PRIMARY KEY,
    project_code     text NOT NULL,
    center_code      text NOT NULL,
    category         text NOT NULL CHECK (category IN ('engineering', 'gov_procurement',
                         'land_mineral', 'state_property', 'medical', 'other')),
    method           text NOT NULL,
    budget_amount    numeric(18,2) NULL,
    reserve_price    numeric(18,2) NULL,
    deal_amount      numeric(18,2) NOT NULL,
    opened_at        timestamptz NULL,
    deal_at          timestamptz NOT NULL,
    fully_electronic boolean NOT NULL,
    remote_opening   boolean NOT NULL,
    status           text NOT NULL CHECK (status IN ('awarded', 'cancelled')),
    service_fee      numeric(18,2) NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Indexes the daemon's queries rely on: incremental polls scan by
-- updated_at, recomputations read whole days by deal_at.
CREATE INDEX deals_updated_at_idx ON deals (updated_at);
CREATE INDEX deals_deal_at_idx ON deals (deal_at);

-- Keeps updated_at honest when the source is a table of our own (tests, demo).
CREATE FUNCTION ggzy_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER deals_touch BEFORE INSERT OR UPDATE ON deals
    FOR EACH ROW EXECUTE FUNCTION ggzy_touch_updated_at();
