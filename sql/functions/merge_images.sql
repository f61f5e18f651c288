-- ggzy.merge_images: the rows staged in pg_temp.ggzy_stage (new images,
-- and keys marked deleted) merged into a stream of a source, in the
-- caller's transaction: per changed row, the totals move by its new image
-- minus its stored one (a row that moved to another day, centre or
-- category, or stopped counting, retracts exactly what it had added), and
-- so do the people of its distinct counts (ggzy.person_year); the images
-- are replaced. Unchanged rows (the same fingerprint) cost a
-- lookup and nothing else. Without p_loaded (a stream still loading) only
-- the images are written: ggzy.finish_load makes their totals at the end.
-- Returns the number of images written or retracted (n), the keys of those
-- rows, and the refs they had or have (an evaluation's deals). The callers
-- (ggzy.apply_images for a source's rows, ggzy.derive_remote_evaluated for
-- the store's own) hold the stream's lock and clean up after it.
-- A change to a row whose old or new day falls in a year with a published
-- report version is noted in ggzy.image_change (when the daemon saw it:
-- /api/v1/report/changes); with nothing published that costs one look at
-- the published years per batch.
CREATE OR REPLACE FUNCTION ggzy.merge_images(p_stream smallint, p_source integer,
                                             p_loaded boolean, OUT n integer,
                                             OUT changed_keys text[], OUT changed_refs text[])
LANGUAGE plpgsql AS $$
DECLARE
    v_put integer;
    v_years integer[];
    v_people smallint[];
BEGIN
    IF NOT p_loaded THEN
        -- A load writes images only: each staged row replaces its key's
        -- image (a resumed load may meet one), through the primary key,
        -- never a join with the images loaded so far.
        DELETE FROM ggzy.image i
         USING pg_temp.ggzy_stage s
         WHERE s.deleted AND i.stream = p_stream AND i.source = p_source AND i.key = s.key;
        GET DIAGNOSTICS n = ROW_COUNT;
        INSERT INTO ggzy.image AS i (stream, source, key, day, center, category, kind, scope,
                                     role, person, ref, fingerprint, m1, m2, m3, m4, m5, m6,
                                     m7, m8, m9, m10, m11, m12)
        SELECT DISTINCT ON (s.key) p_stream, p_source, s.key, s.day, s.center,
               coalesce(s.category, ''), coalesce(s.kind, ''), coalesce(s.scope, ''),
               coalesce(s.role, ''), s.person, s.ref, s.fingerprint, s.m1, s.m2, s.m3, s.m4,
               s.m5, s.m6, s.m7, s.m8, s.m9, s.m10, s.m11, s.m12
          FROM pg_temp.ggzy_stage s
         WHERE NOT s.deleted
        ON CONFLICT (stream, source, key) DO UPDATE
           SET day = EXCLUDED.day, center = EXCLUDED.center, category = EXCLUDED.category,
               kind = EXCLUDED.kind, scope = EXCLUDED.scope, role = EXCLUDED.role,
               person = EXCLUDED.person, ref = EXCLUDED.ref,
               fingerprint = EXCLUDED.fingerprint, m1 = EXCLUDED.m1, m2 = EXCLUDED.m2,
               m3 = EXCLUDED.m3, m4 = EXCLUDED.m4, m5 = EXCLUDED.m5, m6 = EXCLUDED.m6,
               m7 = EXCLUDED.m7, m8 = EXCLUDED.m8, m9 = EXCLUDED.m9, m10 = EXCLUDED.m10,
               m11 = EXCLUDED.m11, m12 = EXCLUDED.m12
         WHERE i.fingerprint IS DISTINCT FROM EXCLUDED.fingerprint;
        GET DIAGNOSTICS v_put = ROW_COUNT;
        n := n + v_put;
        RETURN;
    END IF;
    -- Taken before the published years are read: a publication
    -- (ggzy.publish_report, EXCLUSIVE) either waits for this transaction,
    -- and its snapshot shows these changes, or ran first, and its year is
    -- read here, so a change it does not show is noted.
    LOCK TABLE ggzy.image_change IN ROW EXCLUSIVE MODE;
    SELECT array_agg(DISTINCT year) INTO v_years FROM ggzy.published_report;
    SELECT array_agg(position) INTO v_people FROM ggzy.measure
     WHERE stream = p_stream AND people;
    WITH staged AS MATERIALIZED (
        SELECT DISTINCT ON (key) * FROM pg_temp.ggzy_stage ORDER BY key, deleted
    ),
    old AS MATERIALIZED (
        -- One primary-key lookup per staged row, whatever the statistics
        -- say of the staging table (a join planned on a stale estimate
        -- read every image of the stream for each batch).
        SELECT o.*
          FROM staged s
          CROSS JOIN LATERAL (SELECT i.* FROM ggzy.image i
                               WHERE i.stream = p_stream AND i.source = p_source
                                 AND i.key = s.key) o
    ),
    changed AS MATERIALIZED (
        -- new (no image), gone (deleted), or a new fingerprint
        SELECT s.key, s.deleted, o.key IS NOT NULL AS had,
               s.day, s.center, s.category, s.kind, s.scope, s.role, s.person, s.ref,
               s.fingerprint, s.m1, s.m2, s.m3, s.m4, s.m5, s.m6, s.m7, s.m8, s.m9, s.m10,
               s.m11, s.m12,
               o.person AS o_person, o.ref AS o_ref, o.day AS o_day, o.center AS o_center, o.category AS o_category,
               o.kind AS o_kind, o.scope AS o_scope, o.role AS o_role,
               o.fingerprint AS o_fingerprint, o.m1 AS o_m1, o.m2 AS o_m2, o.m3 AS o_m3,
               o.m4 AS o_m4, o.m5 AS o_m5, o.m6 AS o_m6, o.m7 AS o_m7, o.m8 AS o_m8,
               o.m9 AS o_m9, o.m10 AS o_m10, o.m11 AS o_m11, o.m12 AS o_m12
          FROM staged s
          LEFT JOIN old o ON o.key = s.key
         WHERE (o.key IS NULL AND NOT s.deleted)
            OR (o.key IS NOT NULL AND (s.deleted OR s.fingerprint <> o.fingerprint))
    ),
    delta AS MATERIALIZED (
        SELECT day, center, category, kind, scope, role, 1 AS rows,
               fingerprint::numeric AS fingerprint, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10,
               m11, m12
          FROM changed
         WHERE NOT deleted AND p_loaded
        UNION ALL
        SELECT o_day, o_center, o_category, o_kind, o_scope, o_role, -1,
               -o_fingerprint::numeric, -o_m1, -o_m2, -o_m3, -o_m4, -o_m5, -o_m6, -o_m7,
               -o_m8, -o_m9, -o_m10, -o_m11, -o_m12
          FROM changed
         WHERE had AND p_loaded
    ),
    day_delta AS MATERIALIZED (
        -- Summed once per day and label set; the months sum these few rows,
        -- not every row's delta again (the numeric sums are most of a
        -- poll's cost).
        SELECT day, center, category, kind, scope, role, sum(rows) AS rows,
               sum(fingerprint) AS fingerprint, sum(m1) AS m1, sum(m2) AS m2, sum(m3) AS m3,
               sum(m4) AS m4, sum(m5) AS m5, sum(m6) AS m6, sum(m7) AS m7, sum(m8) AS m8,
               sum(m9) AS m9, sum(m10) AS m10, sum(m11) AS m11, sum(m12) AS m12
          FROM delta
         GROUP BY day, center, category, kind, scope, role
    ),
    day_moved AS (
        INSERT INTO ggzy.day_total AS t (stream, day, center, category, kind, scope, role, source,
                                         rows, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12)
        SELECT p_stream, day, center, category, kind, scope, role, p_source, rows, m1, m2, m3,
               m4, m5, m6, m7, m8, m9, m10, m11, m12
          FROM day_delta
        ON CONFLICT (stream, day, center, category, kind, scope, role, source) DO UPDATE
           SET rows = t.rows + EXCLUDED.rows,
               m1 = nullif(coalesce(t.m1, 0) + coalesce(EXCLUDED.m1, 0), 0),
               m2 = nullif(coalesce(t.m2, 0) + coalesce(EXCLUDED.m2, 0), 0),
               m3 = nullif(coalesce(t.m3, 0) + coalesce(EXCLUDED.m3, 0), 0),
               m4 = nullif(coalesce(t.m4, 0) + coalesce(EXCLUDED.m4, 0), 0),
               m5 = nullif(coalesce(t.m5, 0) + coalesce(EXCLUDED.m5, 0), 0),
               m6 = nullif(coalesce(t.m6, 0) + coalesce(EXCLUDED.m6, 0), 0),
               m7 = nullif(coalesce(t.m7, 0) + coalesce(EXCLUDED.m7, 0), 0),
               m8 = nullif(coalesce(t.m8, 0) + coalesce(EXCLUDED.m8, 0), 0),
               m9 = nullif(coalesce(t.m9, 0) + coalesce(EXCLUDED.m9, 0), 0),
               m10 = nullif(coalesce(t.m10, 0) + coalesce(EXCLUDED.m10, 0), 0),
               m11 = nullif(coalesce(t.m11, 0) + coalesce(EXCLUDED.m11, 0), 0),
               m12 = nullif(coalesce(t.m12, 0) + coalesce(EXCLUDED.m12, 0), 0)
        RETURNING 1
    ),
    month_moved AS (
        INSERT INTO ggzy.month_total AS t (stream, month, center, category, kind, scope, role,
                                           source, rows, fingerprint, m1, m2, m3, m4, m5, m6,
                                           m7, m8, m9, m10, m11, m12)
        SELECT p_stream, date_trunc('month', day::timestamp)::date, center, category, kind,
               scope, role, p_source, sum(rows), sum(fingerprint), sum(m1), sum(m2), sum(m3),
               sum(m4), sum(m5), sum(m6), sum(m7), sum(m8), sum(m9), sum(m10), sum(m11),
               sum(m12)
          FROM day_delta
         GROUP BY 2, center, category, kind, scope, role
        ON CONFLICT (stream, month, center, category, kind, scope, role, source) DO UPDATE
           SET rows = t.rows + EXCLUDED.rows,
               fingerprint = t.fingerprint + EXCLUDED.fingerprint,
               m1 = nullif(coalesce(t.m1, 0) + coalesce(EXCLUDED.m1, 0), 0),
               m2 = nullif(coalesce(t.m2, 0) + coalesce(EXCLUDED.m2, 0), 0),
               m3 = nullif(coalesce(t.m3, 0) + coalesce(EXCLUDED.m3, 0), 0),
               m4 = nullif(coalesce(t.m4, 0) + coalesce(EXCLUDED.m4, 0), 0),
               m5 = nullif(coalesce(t.m5, 0) + coalesce(EXCLUDED.m5, 0), 0),
               m6 = nullif(coalesce(t.m6, 0) + coalesce(EXCLUDED.m6, 0), 0),
               m7 = nullif(coalesce(t.m7, 0) + coalesce(EXCLUDED.m7, 0), 0),
               m8 = nullif(coalesce(t.m8, 0) + coalesce(EXCLUDED.m8, 0), 0),
               m9 = nullif(coalesce(t.m9, 0) + coalesce(EXCLUDED.m9, 0), 0),
               m10 = nullif(coalesce(t.m10, 0) + coalesce(EXCLUDED.m10, 0), 0),
               m11 = nullif(coalesce(t.m11, 0) + coalesce(EXCLUDED.m11, 0), 0),
               m12 = nullif(coalesce(t.m12, 0) + coalesce(EXCLUDED.m12, 0), 0)
        RETURNING 1
    ),
    people AS (
        -- The people of the stream's distinct counts (ggzy.person_year):
        -- per year, centre and person, +1 for a new image with the measure
        -- and -1 for the old one it replaces.
        SELECT p.position, extract(year FROM x.day)::smallint AS year, x.center, x.person,
               sum(x.n)::integer AS images
          FROM (SELECT day, center, person, 1 AS n, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10,
                       m11, m12
                  FROM changed
                 WHERE NOT deleted
                UNION ALL
                SELECT o_day, o_center, o_person, -1, o_m1, o_m2, o_m3, o_m4, o_m5, o_m6, o_m7,
                       o_m8, o_m9, o_m10, o_m11, o_m12
                  FROM changed
                 WHERE had) x
          JOIN unnest(v_people) AS p(position)
            ON ggzy.measure_value(p.position, x.m1, x.m2, x.m3, x.m4, x.m5, x.m6, x.m7,
                                  x.m8, x.m9, x.m10, x.m11, x.m12) IS NOT NULL
         WHERE x.person IS NOT NULL
         GROUP BY 1, 2, 3, 4
        HAVING sum(x.n) <> 0
    ),
    people_moved AS (
        INSERT INTO ggzy.person_year AS t (stream, source, position, year, center, person, images)
        SELECT p_stream, p_source, people.position, people.year, people.center, people.person,
               people.images
          FROM people
        ON CONFLICT (stream, position, year, center, person, source) DO UPDATE
           SET images = t.images + EXCLUDED.images
        RETURNING 1
    ),
    noted AS (
        INSERT INTO ggzy.image_change AS l (stream, source, key, seen_at)
        SELECT p_stream, p_source, key, clock_timestamp()
          FROM changed
         WHERE v_years IS NOT NULL
           AND (extract(year FROM day)::integer = ANY (v_years)
                OR extract(year FROM o_day)::integer = ANY (v_years))
        ON CONFLICT (stream, source, key) DO UPDATE SET seen_at = EXCLUDED.seen_at
        RETURNING 1
    ),
    gone AS (
        DELETE FROM ggzy.image i
         USING changed c
         WHERE i.stream = p_stream AND i.source = p_source AND i.key = c.key
           AND c.deleted AND c.had
        RETURNING 1
    ),
    put AS (
        INSERT INTO ggzy.image (stream, source, key, day, center, category, kind, scope, role,
                                person, ref, fingerprint, m1, m2, m3, m4, m5, m6, m7, m8, m9,
                                m10, m11, m12)
        SELECT p_stream, p_source, key, day, center, coalesce(category, ''),
               coalesce(kind, ''), coalesce(scope, ''), coalesce(role, ''), person, ref,
               fingerprint, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12
          FROM changed
         WHERE NOT deleted
        ON CONFLICT (stream, source, key) DO UPDATE
           SET day = EXCLUDED.day, center = EXCLUDED.center, category = EXCLUDED.category,
               kind = EXCLUDED.kind, scope = EXCLUDED.scope, role = EXCLUDED.role,
               person = EXCLUDED.person, ref = EXCLUDED.ref,
               fingerprint = EXCLUDED.fingerprint, m1 = EXCLUDED.m1, m2 = EXCLUDED.m2,
               m3 = EXCLUDED.m3, m4 = EXCLUDED.m4, m5 = EXCLUDED.m5, m6 = EXCLUDED.m6,
               m7 = EXCLUDED.m7, m8 = EXCLUDED.m8, m9 = EXCLUDED.m9, m10 = EXCLUDED.m10,
               m11 = EXCLUDED.m11, m12 = EXCLUDED.m12
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put)
           + 0 * (SELECT count(*) FROM day_moved) + 0 * (SELECT count(*) FROM month_moved)
           + 0 * (SELECT count(*) FROM people_moved),
           (SELECT array_agg(key) FROM changed),
           (SELECT array_agg(DISTINCT r)
              FROM changed c, LATERAL (VALUES (c.ref), (c.o_ref)) AS v(r)
             WHERE r IS NOT NULL)
      INTO n, changed_keys, changed_refs;
    IF n > 0 AND p_loaded THEN
        -- A total whose images are all gone is gone (partial indexes on
        -- rows = 0 make this a probe, not a scan).
        DELETE FROM ggzy.day_total WHERE stream = p_stream AND source = p_source AND rows = 0;
        DELETE FROM ggzy.month_total WHERE stream = p_stream AND source = p_source AND rows = 0;
        IF v_people IS NOT NULL THEN
            DELETE FROM ggzy.person_year
             WHERE stream = p_stream AND source = p_source AND images = 0;
        END IF;
    END IF;
END $$;
