-- What a delivery sends (alerts_deliver.c): every firing pace alert (the
-- periodic re-send Alertmanager needs) and every change a receiver has not
-- acknowledged yet (a new firing, a missed target, a resolution).
SELECT year, center, indicator, alertname, state, labels::text, annotations::text,
       extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint, seq
  FROM ggzy.alert
 WHERE (alertname = 'GgzyTargetBehindPace' AND state = 'firing')
    OR (seq > delivered_seq AND state IN ('firing', 'resolved'))
 ORDER BY year, center, indicator, alertname
