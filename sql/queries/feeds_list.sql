-- GET /api/v1/feeds: the deliveries of the feeds $1 (text[]), the latest
-- 100 per feed, newest first; times as epoch seconds.
SELECT feed, period, what,
       CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
            WHEN attempts = 0 THEN 'pending' ELSE 'retrying' END,
       extract(epoch FROM due_at)::bigint, attempts,
       extract(epoch FROM last_attempt_at)::bigint, last_error,
       extract(epoch FROM delivered_at)::bigint, delivered_to, response,
       format, filename, sha256, octet_length(body)
  FROM (SELECT d.*, row_number() OVER (PARTITION BY feed ORDER BY due_at DESC) AS n
          FROM ggzy.feed_delivery d
         WHERE feed = ANY ($1::text[])) x
 WHERE n <= 100
 ORDER BY feed, due_at DESC
