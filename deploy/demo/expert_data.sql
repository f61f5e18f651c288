-- Deterministic demo data for the expert source (run with psql after
-- sql/contract/expert.sql). Variables: rows (evaluations, default 8000), seed.
\if :{?rows} \else \set rows 8000 \endif
\if :{?seed} \else \set seed 0.43 \endif
SELECT setseed(:seed);

INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at, remote,
                         remote_scope, venue_role, status)
SELECT 'E' || lpad(g::text, 8, '0'),
       'D' || lpad(g::text, 8, '0'),
       (ARRAY['430000','430100','430102','430104','433100','433101','433122'])[1 + floor(random() * 7)::int],
       (ARRAY['engineering','gov_procurement','land_mineral','state_property','medical','other'])[1 + floor(random() * 6)::int],
       at,
       remote,
       CASE WHEN remote THEN (ARRAY['intra_province','cross_province'])[1 + floor(random() * 2)::int] END,
       CASE WHEN remote THEN (ARRAY['host','guest'])[1 + floor(random() * 2)::int] END,
       CASE WHEN random() < 0.04 THEN 'cancelled' ELSE 'done' END
  FROM generate_series(1, :rows) AS g,
       -- 2021-01-01 to 2022-12-31 (Asia/Shanghai), some late in the evening
       LATERAL (SELECT timestamptz '2021-01-01 08:00+08' + floor(random() * 730) * interval '1 day'
                       + CASE WHEN g % 9 = 0 THEN interval '15 hours 55 minutes'
                              ELSE random() * interval '10 hours' END AS at,
                       random() < 0.35 AS remote) AS x;

-- Five experts drawn per evaluation, a few absent, fees of 300-1200 yuan.
INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at, attended,
                         fee_amount, fee_paid_online, rating, violation)
SELECT e.evaluation_id || '-' || k,
       e.evaluation_id,
       'X' || (1 + floor(random() * 900)::int),
       e.center_code,
       e.started_at - interval '1 hour',
       random() < 0.96,
       round((300 + random() * 900)::numeric, 2),
       random() < 0.7,
       CASE WHEN random() < 0.8 THEN round((60 + random() * 40)::numeric, 2) END,
       random() < 0.01
  FROM evaluations e, generate_series(1, 5) AS k;
