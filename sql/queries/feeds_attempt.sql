-- An attempt is counted before it is made (feeds_store.c): $1 feed, $2
-- period. Returns the attempt's number; no row when the delivery was
-- acknowledged meanwhile (by another daemon on the same store).
UPDATE ggzy.feed_delivery
   SET attempts = attempts + 1, last_attempt_at = now()
 WHERE feed = $1 AND period = $2 AND delivered_at IS NULL
RETURNING attempts
