-- Run at start, after sql/functions/: a store that has loaded deals or
-- evaluations but never derived the remotely evaluated deals from them (a
-- store upgraded to version 10) derives them once, in that transaction.
SELECT ggzy.rebuild_remote_evaluated()
 WHERE NOT EXISTS (SELECT 1 FROM ggzy.stream_state WHERE stream = 6)
   AND EXISTS (SELECT 1 FROM ggzy.stream_state WHERE stream IN (1, 2) AND state = 'loaded')
