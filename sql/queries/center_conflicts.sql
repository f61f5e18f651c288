-- The centres a source reported but another source of its kind claims
-- (ggzy.apply_images refuses those rows): /readyz and /api/v1/status.
SELECT s.name, c.kind, c.center, o.name, c.rows, to_char(c.last_seen, 'YYYY-MM-DD"T"HH24:MI:SSOF')
  FROM ggzy.center_conflict c
  JOIN ggzy.source s ON s.id = c.source
  JOIN ggzy.source o ON o.id = c.claimed_by
 ORDER BY 1, 3
