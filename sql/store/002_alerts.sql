-- Store schema, version 2: alert state (SPEC §8).
--
-- One row per alert: a target of the targets file (year, centre, indicator
-- name) and its kind, GgzyTargetBehindPace while the year runs and
-- GgzyTargetMissed once it has closed. The state machine lives in the daemon;
-- this table is its memory, so that a restart or kill -9 neither forgets a
-- pending evaluation nor drops a notification: seq counts the transitions a
-- receiver must hear of, delivered_seq the last one it acknowledged.

CREATE TABLE ggzy.alert (
    year          integer     NOT NULL,
    center        text        NOT NULL,  -- '' for the all-centres entry
    indicator     text        NOT NULL,  -- the indicator's name in the targets file
    alertname     text        NOT NULL CHECK (alertname IN ('GgzyTargetBehindPace', 'GgzyTargetMissed')),
    metric        text        NOT NULL,
    state         text        NOT NULL CHECK (state IN ('ok', 'pending', 'firing', 'resolved')),
    since         timestamptz NOT NULL,  -- when it entered this state
    starts_at     timestamptz,           -- when it last started firing
    ends_at       timestamptz,           -- when that firing ended (resolved)
    evaluated_at  timestamptz NOT NULL,
    labels        jsonb       NOT NULL,  -- Alertmanager labels
    annotations   jsonb       NOT NULL,  -- Alertmanager annotations, as last evaluated
    figures       jsonb       NOT NULL,  -- target, actual, expected, pace_ratio, projected
    seq           bigint      NOT NULL DEFAULT 0,
    delivered_seq bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (year, center, indicator, alertname)
);

-- One evaluation's rows (a JSON array of objects with the columns above but
-- seq), written in one statement; seq moves when notify is true.
CREATE FUNCTION ggzy.save_alerts(p_rows json) RETURNS integer
LANGUAGE sql AS $$
    WITH saved AS (
    INSERT INTO ggzy.alert AS a (year, center, indicator, alertname, metric, state, since,
                                 starts_at, ends_at, evaluated_at, labels, annotations,
                                 figures, seq)
    SELECT r.year, r.center, r.indicator, r.alertname, r.metric, r.state, r.since,
           r.starts_at, r.ends_at, r.evaluated_at, r.labels, r.annotations, r.figures,
           CASE WHEN r.notify THEN 1 ELSE 0 END
      FROM json_to_recordset(p_rows) AS r(year integer, center text, indicator text,
                                          alertname text, metric text, state text,
                                          since timestamptz, starts_at timestamptz,
                                          ends_at timestamptz, evaluated_at timestamptz,
                                          labels jsonb, annotations jsonb, figures jsonb,
                                          notify boolean)
    ON CONFLICT (year, center, indicator, alertname) DO UPDATE
       SET metric = excluded.metric, state = excluded.state, since = excluded.since,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           evaluated_at = excluded.evaluated_at, labels = excluded.labels,
           annotations = excluded.annotations, figures = excluded.figures,
           seq = a.seq + excluded.seq
    RETURNING 1)
    SELECT count(*)::integer FROM saved
$$;
