-- Benchmark data, deposit source: 3 * :deals / 2 deposits, three quarters of
-- them refunded 5 to 85 days later (psql -v deals=N -v seed=S), after
-- sql/contract/deposit.sql and gen_common.sql.
SET synchronous_commit = off;
ALTER TABLE deposits DISABLE TRIGGER deposits_touch;
ALTER TABLE deposits DROP CONSTRAINT deposits_pkey;
DROP INDEX IF EXISTS deposits_updated_at_idx, deposits_received_at_idx, deposits_refunded_at_idx;
INSERT INTO deposits (deposit_id, deal_id, center_code, category, bidder_id, kind, amount,
                      received_at, refunded_at, refund_amount, status, updated_at)
SELECT 'B' || lpad(g::text, 10, '0'),
       'D' || lpad((1 + (2 * g) / 3)::text, 9, '0'),
       bench.center(floor(bench.u(g, :seed + 41) * 50)::int),
       bench.category(floor(bench.u(g, :seed + 42) * 6)::int),
       'C' || (1 + floor(bench.u(g, :seed + 43) * 50000)::int),
       (ARRAY['cash','cash','e_guarantee','e_guarantee','e_commitment','insurance'])
           [1 + floor(bench.u(g, :seed + 44) * 6)::int],
       amount,
       received,
       refunded,
       CASE WHEN refunded IS NOT NULL THEN amount END,
       CASE WHEN refunded IS NOT NULL THEN 'refunded'
            WHEN bench.u(g, :seed + 47) < 0.05 THEN 'forfeited' ELSE 'held' END,
       bench.touched(x.u)
  FROM generate_series(1, 3 * (:deals / 2)) AS g,
       LATERAL (SELECT (g - 1 + bench.u(g, :seed + 48)) / (3 * (:deals / 2)) AS u) AS t,
       LATERAL (SELECT round((1000 + bench.u(g, :seed + 45) * bench.u(g, :seed + 46) * 800000)::numeric, 2)
                           AS amount,
                       bench.at(t.u) AS received, t.u) AS x,
       LATERAL (SELECT CASE WHEN bench.u(g, :seed + 49) < 0.75
                            THEN received + (5 + bench.u(g, :seed + 50) * 80) * interval '1 day' END
                           AS refunded) AS y;
ALTER TABLE deposits ADD PRIMARY KEY (deposit_id);
ALTER TABLE deposits ENABLE TRIGGER deposits_touch;
