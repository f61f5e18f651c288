-- ggzy.derive_remote_evaluated: brings the remote_evaluated images of the
-- deals p_keys up to date with the deals' and the evaluations' images, in
-- the caller's transaction (ggzy.apply_images calls it after a change to
-- either), for every trading source: a deal that gained its first remote
-- evaluation is added, one that lost it (cancelled, turned local, deleted,
-- or the deal itself no longer awarded) is retracted, one whose amount,
-- day, labels or scope moved moves. Returns the images written or
-- retracted.
CREATE OR REPLACE FUNCTION ggzy.derive_remote_evaluated(p_keys text[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_source integer;
    v_n integer;
    n integer := 0;
BEGIN
    -- One writer of the derived stream at a time, and after it the images
    -- of both sources as committed: a deal's and its evaluation's changes
    -- committed by two transactions at once are both seen by the later.
    PERFORM pg_advisory_xact_lock(6, 0);
    FOR v_source IN SELECT id FROM ggzy.source WHERE kind = 'trading' LOOP
        TRUNCATE pg_temp.ggzy_stage;
        INSERT INTO pg_temp.ggzy_stage (key, deleted, day, center, category, kind, scope,
                                        role, fingerprint, m1, m2)
        SELECT k.key, r.key IS NULL, r.day, r.center, r.category, '', r.scope, '',
               r.fingerprint, 1, r.amount
          FROM (SELECT DISTINCT unnest(p_keys) AS key) k
          LEFT JOIN ggzy.remote_evaluated_images(v_source, p_keys) r ON r.key = k.key;
        SELECT m.n INTO v_n FROM ggzy.merge_images(6::smallint, v_source, true) m;
        n := n + v_n;
    END LOOP;
    TRUNCATE pg_temp.ggzy_stage;
    RETURN n;
END $$;
