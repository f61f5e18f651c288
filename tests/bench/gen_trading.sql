-- Benchmark data, trading source: :deals deals (psql -v deals=N -v seed=S),
-- after sql/contract/trading.sql and gen_common.sql. Loads with the secondary
-- indexes dropped and the touch trigger disabled, then recreates them (the
-- driver runs the contract's CREATE INDEX statements afterwards).
SET synchronous_commit = off;
INSERT INTO centers (center_code, name, parent_code, level)
SELECT bench.center(i), '测试中心' || bench.center(i),
       CASE WHEN i = 0 THEN NULL WHEN i < 10 THEN '430000' ELSE bench.center(1 + (i - 10) / 5) END,
       CASE WHEN i = 0 THEN 'province' WHEN i < 10 THEN 'city' ELSE 'county' END
  FROM generate_series(0, 49) AS i
 ORDER BY i;
ALTER TABLE deals DISABLE TRIGGER deals_touch;
ALTER TABLE deals DROP CONSTRAINT deals_pkey;
DROP INDEX IF EXISTS deals_updated_at_idx, deals_deal_at_idx;
INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
                   reserve_price, deal_amount, opened_at, deal_at, fully_electronic,
                   remote_opening, status, service_fee, updated_at)
SELECT 'D' || lpad(g::text, 9, '0'),
       'P' || (g / 3),
       bench.center(floor(bench.u(g, :seed + 1) * 50)::int),
       cat,
       (ARRAY['open_tender','invited','auction','listing','competitive_negotiation'])
           [1 + floor(bench.u(g, :seed + 3) * 5)::int],
       CASE WHEN bench.u(g, :seed + 4) < 0.8
            THEN round(amount * (1.0 + bench.u(g, :seed + 5) * 0.2)::numeric, 2) END,
       CASE WHEN cat IN ('land_mineral', 'state_property') OR bench.u(g, :seed + 6) < 0.1
            THEN round(amount * (0.8 + bench.u(g, :seed + 7) * 0.15)::numeric, 2) END,
       amount,
       CASE WHEN bench.u(g, :seed + 8) < 0.85 THEN at - interval '2 days' END,
       at,
       bench.u(g, :seed + 9) < 0.9,
       bench.u(g, :seed + 10) < 0.6,
       CASE WHEN bench.u(g, :seed + 11) < 0.05 THEN 'cancelled' ELSE 'awarded' END,
       round(amount * 0.001, 2),
       bench.touched(x.u)
  FROM generate_series(1, :deals) AS g,
       LATERAL (SELECT (g - 1 + bench.u(g, :seed + 14)) / :deals AS u) AS t,
       LATERAL (SELECT bench.category(floor(bench.u(g, :seed + 2) * 6)::int) AS cat,
                       round((10000 + bench.u(g, :seed + 12) * bench.u(g, :seed + 13) * 50000000)::numeric, 2)
                           AS amount,
                       bench.at(t.u) AS at, t.u) AS x;
ALTER TABLE deals ADD PRIMARY KEY (deal_id);
ALTER TABLE deals ENABLE TRIGGER deals_touch;
