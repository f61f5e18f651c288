-- ggzy.publish_report: stores the report documents of a closed year and
-- centre ('' for all) as the next version, with the snapshot of the images
-- of that year and centre (migration 013), in the caller's transaction
-- (the daemon sends it as one statement: one transaction).
--
-- p_store_version: the figures' version (ggzy.store_version) the daemon
-- read before it made the documents. The row of ggzy.store_version is
-- locked (FOR SHARE) first: a commit that changes figures updates that row,
-- so it either committed before (the version differs: nothing is stored,
-- no row comes back, and the daemon makes the documents again) or waits
-- until this transaction ends, and the snapshot shows exactly the images
-- the documents were made from. Versions of a year are numbered under a
-- lock of that year, so they are consecutive. Merges of images wait while
-- the snapshot is taken (the lock of ggzy.image_change below).
-- A stream still loading its history is refused: its images are not yet
-- its figures (ggzy.finish_load makes them so), so no snapshot could show
-- what the report shows.
-- Returns the version, published_at (epoch seconds) and the SHA-256 (hex)
-- of the JSON document; no row when the figures moved meanwhile; version 0
-- when a stream is loading.
CREATE OR REPLACE FUNCTION ggzy.publish_report(p_year integer, p_center text, p_json bytea,
                                               p_csv bytea, p_md bytea, p_xlsx bytea,
                                               p_store_version bigint)
RETURNS TABLE (version integer, published_at double precision, sha256 text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_now bigint;
    v_id bigint;
    v_version integer;
    v_at timestamptz;
    v_sha text;
BEGIN
    PERFORM pg_advisory_xact_lock(747013, p_year);
    -- No merge of images runs meanwhile (each holds ROW EXCLUSIVE from
    -- before it reads the published years: ggzy.merge_images), so every
    -- change committed after this snapshot is noted in ggzy.image_change.
    -- Taken before the row of ggzy.store_version, which merges update last.
    LOCK TABLE ggzy.image_change IN EXCLUSIVE MODE;
    SELECT s.version INTO v_now FROM ggzy.store_version s FOR SHARE;
    IF v_now IS DISTINCT FROM p_store_version THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM ggzy.stream_state WHERE state = 'loading') THEN
        version := 0;
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT coalesce(max(r.version), 0) + 1 INTO v_version
      FROM ggzy.published_report r
     WHERE r.year = p_year AND r.center = p_center;
    INSERT INTO ggzy.published_report (year, center, version, store_version, sha256, json, csv,
                                       md, xlsx)
    VALUES (p_year, p_center, v_version, v_now, encode(sha256(p_json), 'hex'), p_json, p_csv,
            p_md, p_xlsx)
    RETURNING id, published_report.published_at, published_report.sha256
         INTO v_id, v_at, v_sha;
    INSERT INTO ggzy.published_image (report, stream, source, key, day, center, category, kind,
                                      scope, role, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11,
                                      m12)
    SELECT v_id, i.stream, i.source, i.key, i.day, i.center, i.category, i.kind, i.scope,
           i.role, i.m1, i.m2, i.m3, i.m4, i.m5, i.m6, i.m7, i.m8, i.m9, i.m10, i.m11, i.m12
      FROM ggzy.image i
      JOIN ggzy.stream st ON st.id = i.stream AND NOT st.derived
     WHERE i.day BETWEEN make_date(p_year, 1, 1) AND make_date(p_year, 12, 31)
       AND (p_center = '' OR i.center IN (SELECT ggzy.center_subtree(p_center)));
    version := v_version;
    published_at := extract(epoch FROM v_at);
    sha256 := v_sha;
    RETURN NEXT;
END $$;
