-- What the store last saw of a stream's source, per month (scheduler.c's
-- reconciliation compares it with the source's months query): rows and the
-- sum of their fingerprints. $1 the stream.
SELECT to_char(date_trunc('month', day), 'YYYY-MM-DD'), sum(rows), sum(fingerprint)
  FROM ggzy.day_state
 WHERE stream = $1
 GROUP BY 1
 ORDER BY 1
