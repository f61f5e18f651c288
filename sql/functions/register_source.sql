-- ggzy.register_source: the id of a configured source ([source NAME]),
-- registering it on first use. The id is a hash of the name, the same in
-- every store, so that stores consolidated into one (SPEC §12) never mix
-- the rows of two sources while their names are unique; two names with one
-- hash in one store are refused rather than merged.
CREATE OR REPLACE FUNCTION ggzy.register_source(p_name text, p_kind text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_id integer := hashtext('ggzy.source:' || p_name);
    v_name text;
BEGIN
    INSERT INTO ggzy.source (id, name, kind) VALUES (v_id, p_name, p_kind)
    ON CONFLICT DO NOTHING;
    SELECT name INTO v_name FROM ggzy.source WHERE id = v_id;
    IF v_name IS DISTINCT FROM p_name THEN
        RAISE EXCEPTION 'source % has the same id as source % in this store; rename one', p_name, v_name;
    END IF;
    RETURN v_id;
END $$;
