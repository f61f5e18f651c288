-- The assignments stream (SPEC §3): one image per expert drawn, on its
-- drawn_at day, per centre. person is the expert: the daemon keeps only its
-- keyed hash (SPEC §2), and the fingerprint holds it salted, never in clear.
-- See sql/collectors/trading/deals.sql for the columns. $1 the time zone,
-- $2 the fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center,
                                  md5($2::text || i.person), i.ref,
                                  i.expert_draws_count, i.expert_attended_count,
                                  i.expert_fee_amount, i.expert_fee_online_amount,
                                  i.expert_reviews_count, i.expert_violations_count)::text, 0)
           AS fingerprint
  FROM (SELECT a.assignment_id AS key,
               (a.drawn_at AT TIME ZONE $1::text)::date AS day,
               a.drawn_at AS event_at,
               a.updated_at,
               a.center_code AS center,
               a.expert_id AS person,
               a.evaluation_id AS ref,
               1 AS expert_draws_count,
               a.attended::int AS expert_attended_count,
               a.fee_amount AS expert_fee_amount,
               CASE WHEN a.fee_paid_online THEN a.fee_amount END AS expert_fee_online_amount,
               (a.rating IS NOT NULL)::int AS expert_reviews_count,
               a.violation::int AS expert_violations_count
          FROM assignments a) i
