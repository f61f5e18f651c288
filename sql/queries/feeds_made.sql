-- The document of a delivery, made once (feeds_store.c): $1 feed, $2
-- period, $3 format, $4 file name, $5 content type, $6 the body in hex.
-- A document made already stays (another daemon, or a retry after a crash,
-- made it first): the one returned is the one to send.
WITH made AS (
    UPDATE ggzy.feed_delivery
       SET format = $3, filename = $4, content_type = $5, body = decode($6, 'hex'),
           sha256 = encode(sha256(decode($6, 'hex')), 'hex'), made_at = now()
     WHERE feed = $1 AND period = $2 AND body IS NULL
    RETURNING 1
)
SELECT format, filename, content_type, body, sha256
  FROM ggzy.feed_delivery
 WHERE feed = $1 AND period = $2 AND NOT EXISTS (SELECT 1 FROM made)
UNION ALL
SELECT $3, $4, $5, decode($6, 'hex'), encode(sha256(decode($6, 'hex')), 'hex')
  FROM made
