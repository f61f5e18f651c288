-- The expert_left stream: the outflow of the expert pool, one image per
-- expert who left, on the later of the leaving and enrolment days (an
-- expert who "left" before enrolling was never in the pool); an expert
-- still in the pool counts for nothing here (day NULL). The key is the
-- salted SHA-256 of the expert, as in enrolled.sql. See
-- sql/collectors/trading/deals.sql for the columns. $1 the time zone, $2
-- the fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center,
                                  i.expert_pool_count)::text, 0) AS fingerprint
  FROM (SELECT encode(sha256(convert_to($2::text || x.expert_id, 'UTF8')), 'hex') AS key,
               CASE WHEN x.left_at IS NOT NULL
                    THEN (greatest(x.left_at, x.enrolled_at) AT TIME ZONE $1::text)::date
               END AS day,
               greatest(x.left_at, x.enrolled_at) AS event_at,
               x.updated_at,
               x.center_code AS center,
               -1 AS expert_pool_count
          FROM experts x) i
