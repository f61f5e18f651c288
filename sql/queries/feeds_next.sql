-- The oldest delivery of feed $1 not yet acknowledged (feeds_store.c): its
-- period, what it sends, and the document when it was made already (a
-- retry sends the bytes first made, whatever has changed since).
SELECT period, what, body IS NOT NULL, format, filename, content_type, body, sha256, attempts
  FROM ggzy.feed_delivery
 WHERE feed = $1 AND delivered_at IS NULL
 ORDER BY due_at
 LIMIT 1
