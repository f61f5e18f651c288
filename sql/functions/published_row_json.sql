-- ggzy.published_row_json: a row image as /api/v1/report/changes shows it
-- (before and after): its day, its labels (those it carries, not ''), and
-- its values per metric of ggzy.measure (amounts as strings with two
-- decimals, counts as integers; a measure at 0 is left out). NULL for no
-- image (a row that appeared, or is gone).
CREATE OR REPLACE FUNCTION ggzy.published_row_json(p_stream smallint, p_day date, p_center text,
                                                   p_category text, p_kind text, p_scope text,
                                                   p_role text, p_m numeric[])
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_day IS NULL THEN NULL ELSE jsonb_build_object(
        'day', to_char(p_day, 'YYYY-MM-DD'),
        'labels', jsonb_strip_nulls(jsonb_build_object(
            'center', nullif(p_center, ''), 'category', nullif(p_category, ''),
            'kind', nullif(p_kind, ''), 'scope', nullif(p_scope, ''), 'role', nullif(p_role, ''))),
        'values', coalesce((
            SELECT jsonb_object_agg(m.metric,
                                    CASE WHEN m.metric LIKE '%\_amount'
                                         THEN to_jsonb(round(p_m[m.position], 2)::text)
                                         ELSE to_jsonb(p_m[m.position]) END)
              FROM ggzy.measure m
             WHERE m.stream = p_stream AND p_m[m.position] IS NOT NULL
               AND p_m[m.position] <> 0), '{}'::jsonb)) END
$$;
