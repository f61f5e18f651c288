-- Per month of the stream from $3 (a timestamptz; '-infinity' for every
-- year): its rows and the sum of their fingerprints, which reconciliation
-- compares with the store's (ggzy.stream_months). One GROUP BY pass; with
-- an index on the event time, only the recent years'. $1 the time zone,
-- $2 the fingerprints' salt.
SELECT to_char(date_trunc('month', r.day::timestamp), 'YYYY-MM-DD') AS month,
       count(*) AS rows,
       sum(r.fingerprint) AS fingerprint
  FROM ({stream}) r
 WHERE r.day IS NOT NULL AND r.event_at >= $3::timestamptz
 GROUP BY 1
 ORDER BY 1
