-- The expert_enrolled stream: the inflow of the expert pool (SPEC §3: an
-- expert is in the pool on D when enrolled_at <= D < left_at, left_at NULL
-- for never), one image per expert of the optional relation experts on its
-- enrolment day. The key is the expert: the store keeps only a salted
-- SHA-256 of it, made here (SPEC §2), so the relation's primary key never
-- reaches the store. See sql/collectors/trading/deals.sql for the columns.
-- $1 the time zone, $2 the fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center,
                                  i.expert_pool_count)::text, 0) AS fingerprint
  FROM (SELECT encode(sha256(convert_to($2::text || x.expert_id, 'UTF8')), 'hex') AS key,
               (x.enrolled_at AT TIME ZONE $1::text)::date AS day,
               x.enrolled_at AS event_at,
               x.updated_at,
               x.center_code AS center,
               1 AS expert_pool_count
          FROM experts x) i
