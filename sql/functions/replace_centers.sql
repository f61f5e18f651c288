-- ggzy.replace_centers: the centre hierarchy as trading source p_source
-- gives it (p_rows: [[code, name, parent, level], ...]) replaces what that
-- source gave before, and only that: with several trading sources each
-- keeps its own rows, and a code two of them give keeps its first source's
-- row. The figures' version moves when the hierarchy changed (it decides
-- what a centre's figures include).
CREATE OR REPLACE FUNCTION ggzy.replace_centers(p_source text, p_rows json) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    changed integer;
BEGIN
    PERFORM pg_advisory_xact_lock(747002);
    DELETE FROM ggzy.center
     WHERE (source = p_source OR source IS NULL)
       AND center_code NOT IN (SELECT r->>0 FROM json_array_elements(p_rows) AS r);
    GET DIAGNOSTICS changed = ROW_COUNT;
    INSERT INTO ggzy.center AS c (center_code, name, parent_code, level, source)
    SELECT r->>0, r->>1, r->>2, r->>3, p_source FROM json_array_elements(p_rows) AS r
    ON CONFLICT (center_code) DO UPDATE
        SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
            level = EXCLUDED.level, source = EXCLUDED.source
      WHERE (c.source = EXCLUDED.source OR c.source IS NULL)
        AND (c.name, c.parent_code, c.level, c.source)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_code, EXCLUDED.level,
                              EXCLUDED.source);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF changed + n > 0 THEN
        UPDATE ggzy.store_version SET version = version + 1;
    END IF;
    RETURN (SELECT count(*)::integer FROM json_array_elements(p_rows));
END $$;
