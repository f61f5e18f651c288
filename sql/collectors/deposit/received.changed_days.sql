-- Receipt days touched by deposits changed since the watermark minus the
-- overlap. $1 watermark, $2 overlap (interval), $3 time zone.
SELECT (received_at AT TIME ZONE $3)::date AS day,
       max(max(updated_at)) OVER () AS watermark
  FROM deposits
 WHERE updated_at > $1::timestamptz - $2::interval
 GROUP BY 1
 ORDER BY 1
