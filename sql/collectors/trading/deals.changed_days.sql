-- Days touched by rows changed since the watermark (minus the overlap window).
-- $1 watermark (timestamptz), $2 overlap (interval), $3 time zone.
-- Returns every such day, and on every row the newest updated_at seen: the
-- next watermark.
SELECT (deal_at AT TIME ZONE $3)::date AS day,
       max(max(updated_at)) OVER () AS watermark
  FROM deals
 WHERE updated_at > $1::timestamptz - $2::interval
 GROUP BY 1
 ORDER BY 1
