-- Deterministic demo data for the deposit source (run with psql after
-- sql/contract/deposit.sql). Variables: rows (default 30000), seed.
\if :{?rows} \else \set rows 30000 \endif
\if :{?seed} \else \set seed 0.44 \endif
SELECT setseed(:seed);

INSERT INTO deposits (deposit_id, deal_id, center_code, category, bidder_id, kind, amount,
                      received_at, refunded_at, refund_amount, status)
SELECT 'B' || lpad(g::text, 9, '0'),
       'D' || lpad((g / 4)::text, 8, '0'),
       (ARRAY['430000','430100','430102','430104','433100','433101','433122'])[1 + floor(random() * 7)::int],
       (ARRAY['engineering','gov_procurement','land_mineral','state_property','medical','other'])[1 + floor(random() * 6)::int],
       'C' || (1 + floor(random() * 5000)::int),
       kind,
       amount,
       received,
       CASE WHEN refunded THEN received + (5 + random() * 80) * interval '1 day' END,
       CASE WHEN refunded THEN amount END,
       CASE WHEN refunded THEN 'refunded' WHEN random() < 0.05 THEN 'forfeited' ELSE 'held' END
  FROM generate_series(1, :rows) AS g,
       LATERAL (SELECT (ARRAY['cash','cash','e_guarantee','e_guarantee','e_commitment','insurance'])
                           [1 + floor(random() * 6)::int] AS kind,
                       round((1000 + random() * random() * 800000)::numeric, 2) AS amount,
                       timestamptz '2020-11-01 09:00+08' + (random() * 790) * interval '1 day' AS received,
                       random() < 0.75 AS refunded
                 WHERE g IS NOT NULL) AS x; -- correlated, so drawn anew per row
