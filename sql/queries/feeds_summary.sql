-- Per feed of $1 (text[]): deliveries not yet acknowledged, the last
-- acknowledgement (epoch seconds) and its period, the last error of a
-- delivery still pending (feeds.c keeps these for /metrics and the page).
SELECT f.feed,
       (SELECT count(*) FROM ggzy.feed_delivery d WHERE d.feed = f.feed AND d.delivered_at IS NULL),
       (SELECT extract(epoch FROM max(delivered_at))::bigint FROM ggzy.feed_delivery d
         WHERE d.feed = f.feed),
       (SELECT period FROM ggzy.feed_delivery d WHERE d.feed = f.feed AND delivered_at IS NOT NULL
         ORDER BY delivered_at DESC LIMIT 1),
       (SELECT last_error FROM ggzy.feed_delivery d WHERE d.feed = f.feed AND delivered_at IS NULL
           AND last_error IS NOT NULL ORDER BY due_at LIMIT 1)
  FROM unnest($1::text[]) AS f(feed)
