-- ggzy.rebuild_remote_evaluated: makes the remote_evaluated stream of
-- trading source p_source (NULL: of every trading source) whole from the
-- deals' and the evaluations' images, in the caller's transaction: when a
-- load of either finishes (ggzy.finish_load: the deals' of one source, the
-- evaluations' of all), and once on a store upgraded to version 10
-- (store.c). Returns the day totals made.
CREATE OR REPLACE FUNCTION ggzy.rebuild_remote_evaluated(p_source integer DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_source integer;
    n integer := 0;
    v_n integer;
BEGIN
    PERFORM pg_advisory_xact_lock(6, 0);
    FOR v_source IN SELECT id FROM ggzy.source
                     WHERE kind = 'trading' AND (p_source IS NULL OR id = p_source) LOOP
        DELETE FROM ggzy.image WHERE stream = 6 AND source = v_source;
        INSERT INTO ggzy.image (stream, source, key, day, center, category, scope,
                                fingerprint, m1, m2)
        SELECT 6, v_source, r.key, r.day, r.center, r.category, r.scope, r.fingerprint,
               1, r.amount
          FROM ggzy.remote_evaluated_images(v_source, NULL) r;
        v_n := ggzy.total_images(6::smallint, v_source);
        n := n + v_n;
        INSERT INTO ggzy.stream_state (stream, source, state)
        VALUES (6, v_source, 'loaded')
        ON CONFLICT (stream, source) DO UPDATE SET state = 'loaded';
    END LOOP;
    UPDATE ggzy.store_version SET version = version + 1;
    RETURN n;
END $$;
