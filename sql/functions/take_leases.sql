-- ggzy.take_leases: the sources p_sources ([source] names) that instance
-- p_instance polls (SPEC §12), called every `lease` seconds on the
-- instance's own lease session. The lease is a session-level advisory lock
-- on the source (classid 747100, objid the source's id): this session keeps
-- those it holds and takes those no other session holds. A daemon killed
-- with -9 loses its session and so its locks at once; the others take its
-- sources at their next call. ggzy.lease records who holds what, for
-- /api/v1/status (the locks are the truth).
CREATE OR REPLACE FUNCTION ggzy.take_leases(p_instance text, p_sources text[])
RETURNS TABLE (source text, held boolean) LANGUAGE plpgsql AS $$
DECLARE
    v_name text;
    v_id integer;
    v_held boolean;
BEGIN
    FOREACH v_name IN ARRAY p_sources LOOP
        v_id := hashtext('ggzy.source:' || v_name);
        v_held := EXISTS (SELECT 1 FROM pg_locks l
                           WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
                             AND l.classid = 747100 AND l.objsubid = 2 AND l.granted
                             AND l.objid = (v_id::bigint & 4294967295)::oid);
        IF NOT v_held THEN
            v_held := pg_try_advisory_lock(747100, v_id);
        END IF;
        IF v_held THEN
            INSERT INTO ggzy.lease AS e (source, instance, since, renewed_at)
            VALUES (v_name, p_instance, now(), now())
            ON CONFLICT ON CONSTRAINT lease_pkey DO UPDATE
               SET instance = EXCLUDED.instance, renewed_at = now(),
                   since = CASE WHEN e.instance = EXCLUDED.instance THEN e.since ELSE now() END;
        END IF;
        source := v_name;
        held := v_held;
        RETURN NEXT;
    END LOOP;
END $$;
