-- Contract of the deposit source (保证金系统, SPEC §2): bid deposits, electronic
-- guarantees (电子保函), electronic commitments (电子承诺), guarantee insurance.

CREATE TABLE deposits (
    deposit_id    text PRIMARY KEY,
    deal_id       text NULL,
    center_code   text NOT NULL,
    category      text NOT NULL,
    bidder_id     text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('cash', 'e_guarantee', 'e_commitment', 'insurance')),
    amount        numeric(18,2) NOT NULL,
    received_at   timestamptz NOT NULL,
    refunded_at   timestamptz NULL,
    refund_amount numeric(18,2) NULL,
    status        text NOT NULL CHECK (status IN ('held', 'refunded', 'forfeited', 'remitted')),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Indexes the daemon's queries rely on.
CREATE INDEX deposits_updated_at_idx ON deposits (updated_at);
CREATE INDEX deposits_received_at_idx ON deposits (received_at);
CREATE INDEX deposits_refunded_at_idx ON deposits (refunded_at) WHERE refunded_at IS NOT NULL;

CREATE FUNCTION ggzy_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER deposits_touch BEFORE INSERT OR UPDATE ON deposits
    FOR EACH ROW EXECUTE FUNCTION ggzy_touch_updated_at();
