-- Refund days touched by deposits changed since the watermark minus the
-- overlap. $1 watermark, $2 overlap (interval), $3 time zone. A refund that is
-- withdrawn (refunded_at back to NULL) is repaired by reconciliation.
SELECT (refunded_at AT TIME ZONE $3)::date AS day,
       max(max(updated_at)) OVER () AS watermark
  FROM deposits
 WHERE updated_at > $1::timestamptz - $2::interval
   AND refunded_at IS NOT NULL
 GROUP BY 1
 ORDER BY 1
