-- The centres one level below $1 (NULL: the top of the hierarchy, centres
-- whose parent the store does not know), for GET /api/v1/ranking.
-- Always one row at least: known says whether the store knows $1; a
-- centre without children gives one row with a NULL code.
SELECT k.known, c.center_code, c.name, c.level
  FROM (SELECT $1::text IS NULL
               OR EXISTS (SELECT 1 FROM ggzy.center WHERE center_code = $1) AS known) k
  LEFT JOIN ggzy.center c
    ON ($1::text IS NOT NULL AND c.parent_code = $1)
    OR ($1::text IS NULL AND (c.parent_code IS NULL
                              OR c.parent_code NOT IN (SELECT center_code FROM ggzy.center)))
 ORDER BY c.center_code
