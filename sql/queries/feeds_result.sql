-- An attempt's outcome (feeds_store.c): $1 feed, $2 period, $3 whether the
-- receiver acknowledged (a 2xx, or the file renamed into place), $4 where
-- it went, $5 the answer ('HTTP 201', 'written') or $6 the error.
UPDATE ggzy.feed_delivery
   SET delivered_at = CASE WHEN $3::boolean THEN now() END,
       delivered_to = CASE WHEN $3::boolean THEN $4 END,
       response = $5,
       last_error = CASE WHEN $3::boolean THEN NULL ELSE $6 END
 WHERE feed = $1 AND period = $2 AND delivered_at IS NULL
