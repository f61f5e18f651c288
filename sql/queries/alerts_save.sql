-- Saves one evaluation's alerts in one statement (alerts.c). $1 a JSON array
-- of rows with the columns of ggzy.save_alerts (sql/store/002_alerts.sql).
-- Rows of a closed year's pace alerts carry only their new state: their
-- metric, labels, annotations and figures stay as stored.
SELECT ggzy.save_alerts((
    SELECT json_agg(CASE WHEN r->'labels' IS NULL
                         THEN r::jsonb || jsonb_build_object('metric', a.metric,
                                                             'labels', a.labels,
                                                             'annotations', a.annotations,
                                                             'figures', a.figures)
                         ELSE r::jsonb END)
      FROM json_array_elements($1::json) r
      LEFT JOIN ggzy.alert a
        ON a.year = (r->>'year')::int AND a.center = r->>'center'
       AND a.indicator = r->>'indicator' AND a.alertname = r->>'alertname')::json)
