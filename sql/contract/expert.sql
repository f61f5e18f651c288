-- Contract of the evaluation-expert source (评标专家系统, SPEC §2). A deployment
-- maps its vendor schema onto these relations; the daemon only SELECTs.

CREATE TABLE evaluations (
    evaluation_id text PRIMARY KEY,
    deal_id       text NULL,
    center_code   text NOT NULL,
    category      text NOT NULL,
    started_at    timestamptz NOT NULL,
    remote        boolean NOT NULL,
    remote_scope  text NULL CHECK (remote_scope IN ('intra_province', 'cross_province')),
    venue_role    text NULL CHECK (venue_role IN ('host', 'guest')),
    status        text NOT NULL CHECK (status IN ('done', 'cancelled')),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
    assignment_id   text PRIMARY KEY,
    evaluation_id   text NOT NULL,
    expert_id       text NOT NULL,
    center_code     text NOT NULL,
    drawn_at        timestamptz NOT NULL,
    attended        boolean NOT NULL,
    fee_amount      numeric(18,2) NOT NULL,
    fee_paid_online boolean NOT NULL,
    rating          numeric(5,2) NULL,
    violation       boolean NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Indexes the daemon's queries rely on (polls by updated_at, days by event time).
CREATE INDEX evaluations_updated_at_idx ON evaluations (updated_at);
CREATE INDEX evaluations_started_at_idx ON evaluations (started_at);
CREATE INDEX assignments_updated_at_idx ON assignments (updated_at);
CREATE INDEX assignments_drawn_at_idx ON assignments (drawn_at);

CREATE FUNCTION ggzy_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER evaluations_touch BEFORE INSERT OR UPDATE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION ggzy_touch_updated_at();
CREATE TRIGGER assignments_touch BEFORE INSERT OR UPDATE ON assignments
    FOR EACH ROW EXECUTE FUNCTION ggzy_touch_updated_at();
