-- ggzy.remote_evaluated_images: the images of the remote_evaluated stream
-- (SPEC §3) of a trading source, from the store's own images: one per
-- awarded deal (stream 1) with at least one remote evaluation that took
-- place (stream 2, remote_evaluations_count: status done and remote) of
-- its deal_id; its scope is cross_province when any of those evaluations
-- is, else intra_province; its measures are 1 and the deal's amount; the
-- fingerprint a hash of all that. With several expert sources (SPEC §12:
-- a platform per city, deal ids unique only within one), a deal's
-- evaluations are those of the expert source that serves the deal's
-- centre (ggzy.center_claim); with one, that one's. p_keys: only those
-- deals (NULL: every deal). The one definition of the stream:
-- ggzy.derive_remote_evaluated keeps it per changed row,
-- ggzy.rebuild_remote_evaluated makes it whole.
CREATE OR REPLACE FUNCTION ggzy.remote_evaluated_images(p_source integer, p_keys text[])
RETURNS TABLE (key text, day date, center text, category text, scope text, amount numeric,
               fingerprint bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_several boolean := (SELECT count(*) > 1 FROM ggzy.source WHERE kind = 'expert');
BEGIN
    -- Two statements, so that each is planned on the partial index of
    -- remote evaluations by deal (migration 010).
    IF p_keys IS NULL THEN
        RETURN QUERY
        SELECT d.key, d.day, d.center, d.category, e.scope, d.m2,
               hashtextextended(ROW(d.day, d.center, d.category, e.scope, d.m2)::text, 0)
          FROM (SELECT i.source, i.ref,
                       CASE WHEN bool_or(i.scope = 'cross_province') THEN 'cross_province'
                            ELSE 'intra_province' END AS scope
                  FROM ggzy.image i
                 WHERE i.stream = 2 AND i.m2 IS NOT NULL AND i.ref IS NOT NULL
                 GROUP BY i.source, i.ref) e
          JOIN ggzy.image d ON d.stream = 1 AND d.source = p_source AND d.key = e.ref
         WHERE d.m1 IS NOT NULL
           AND (NOT v_several
                OR EXISTS (SELECT 1 FROM ggzy.center_claim c
                            WHERE c.kind = 'expert' AND c.center = d.center
                              AND c.source = e.source));
    ELSE
        RETURN QUERY
        SELECT d.key, d.day, d.center, d.category, e.scope, d.m2,
               hashtextextended(ROW(d.day, d.center, d.category, e.scope, d.m2)::text, 0)
          FROM (SELECT i.source, i.ref,
                       CASE WHEN bool_or(i.scope = 'cross_province') THEN 'cross_province'
                            ELSE 'intra_province' END AS scope
                  FROM ggzy.image i
                 WHERE i.stream = 2 AND i.m2 IS NOT NULL AND i.ref = ANY (p_keys)
                 GROUP BY i.source, i.ref) e
          JOIN ggzy.image d ON d.stream = 1 AND d.source = p_source AND d.key = e.ref
         WHERE d.m1 IS NOT NULL
           AND (NOT v_several
                OR EXISTS (SELECT 1 FROM ggzy.center_claim c
                            WHERE c.kind = 'expert' AND c.center = d.center
                              AND c.source = e.source));
    END IF;
END $$;
