-- Optional relation of the evaluation-expert source (SPEC §2): the expert
-- pool (入库专家), one row per expert enrolled by a centre. A source without
-- it is valid: the expert pool is then reported unavailable, never as 0.
-- Apply after expert.sql (it uses that file's trigger function).

CREATE TABLE experts (
    expert_id   text PRIMARY KEY,
    center_code text NOT NULL,
    enrolled_at timestamptz NOT NULL,
    left_at     timestamptz NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Polls by updated_at; the pool is small, nothing else needs an index.
CREATE INDEX experts_updated_at_idx ON experts (updated_at);

CREATE TRIGGER experts_touch BEFORE INSERT OR UPDATE ON experts
    FOR EACH ROW EXECUTE FUNCTION ggzy_touch_updated_at();
