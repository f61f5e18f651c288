-- A receiver acknowledged the changes it was sent (alerts_deliver.c). $1 a
-- JSON array of {year, center, indicator, alertname, seq}: the seq each
-- carried, so that a change made while the POST was in flight stays due.
UPDATE ggzy.alert a
   SET delivered_seq = greatest(a.delivered_seq, k.seq)
  FROM json_to_recordset($1::json) AS k(year int, center text, indicator text,
                                        alertname text, seq bigint)
 WHERE a.year = k.year AND a.center = k.center
   AND a.indicator = k.indicator AND a.alertname = k.alertname
