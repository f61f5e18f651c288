-- Benchmark data, expert source: :deals / 2 evaluations and three experts
-- drawn per evaluation (psql -v deals=N -v seed=S), after
-- sql/contract/expert.sql and gen_common.sql.
SET synchronous_commit = off;
ALTER TABLE evaluations DISABLE TRIGGER evaluations_touch;
ALTER TABLE assignments DISABLE TRIGGER assignments_touch;
ALTER TABLE evaluations DROP CONSTRAINT evaluations_pkey;
ALTER TABLE assignments DROP CONSTRAINT assignments_pkey;
DROP INDEX IF EXISTS evaluations_updated_at_idx, evaluations_started_at_idx,
                     assignments_updated_at_idx, assignments_drawn_at_idx;
INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at, remote,
                         remote_scope, venue_role, status, updated_at)
SELECT 'E' || lpad(g::text, 9, '0'),
       'D' || lpad((2 * g)::text, 9, '0'),
       bench.center(floor(bench.u(g, :seed + 21) * 50)::int),
       bench.category(floor(bench.u(g, :seed + 22) * 6)::int),
       at,
       remote,
       CASE WHEN remote THEN (ARRAY['intra_province','cross_province'])[1 + floor(bench.u(g, :seed + 24) * 2)::int] END,
       CASE WHEN remote THEN (ARRAY['host','guest'])[1 + floor(bench.u(g, :seed + 25) * 2)::int] END,
       CASE WHEN bench.u(g, :seed + 26) < 0.04 THEN 'cancelled' ELSE 'done' END,
       bench.touched(x.u)
  FROM generate_series(1, :deals / 2) AS g,
       LATERAL (SELECT (g - 1 + bench.u(g, :seed + 20)) / (:deals / 2) AS u) AS t,
       LATERAL (SELECT bench.at(t.u) AS at, t.u,
                       bench.u(g, :seed + 23) < 0.35 AS remote) AS x;
-- Expert j of evaluation e: drawn a day before the session, at its centre.
INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at,
                         attended, fee_amount, fee_paid_online, rating, violation, updated_at)
SELECT 'A' || lpad(g::text, 10, '0'),
       'E' || lpad(e::text, 9, '0'),
       'X' || (1 + floor(bench.u(g, :seed + 30) * 20000)::int),
       bench.center(floor(bench.u(e, :seed + 21) * 50)::int),
       at,
       bench.u(g, :seed + 31) < 0.95,
       round((300 + bench.u(g, :seed + 32) * 900)::numeric, 2),
       bench.u(g, :seed + 33) < 0.7,
       CASE WHEN bench.u(g, :seed + 34) < 0.8 THEN round((60 + bench.u(g, :seed + 35) * 40)::numeric, 2) END,
       bench.u(g, :seed + 36) < 0.01,
       bench.touched(x.u)
  FROM generate_series(1, 3 * (:deals / 2)) AS g,
       LATERAL (SELECT 1 + (g - 1) / 3 AS e) AS y,
       LATERAL (SELECT (e - 1 + bench.u(e, :seed + 20)) / (:deals / 2) AS u) AS t,
       LATERAL (SELECT bench.at(t.u) - interval '1 day' AS at, t.u) AS x;
ALTER TABLE evaluations ADD PRIMARY KEY (evaluation_id);
ALTER TABLE assignments ADD PRIMARY KEY (assignment_id);
ALTER TABLE evaluations ENABLE TRIGGER evaluations_touch;
ALTER TABLE assignments ENABLE TRIGGER assignments_touch;
