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
       CASE WHEN left_at < timestamptz '2023-01-01 00:00+08' THEN left_at END,
       CASE WHEN left_at < timestamptz '2023-01-01 00:00+08' THEN amount END,
       CASE WHEN left_at >= timestamptz '2023-01-01 00:00+08' THEN 'held'
            WHEN fate < 0.92 THEN 'refunded'  -- 退还
            WHEN fate < 0.96 THEN 'forfeited' -- 没收
            ELSE 'remitted' END               -- 沉淀保证金上缴国库
  FROM generate_series(1, :rows) AS g,
       LATERAL (SELECT (ARRAY['cash','cash','e_guarantee','e_guarantee','e_commitment','insurance'])
                           [1 + floor(random() * 6)::int] AS kind,
                       round((1000 + random() * random() * 800000)::numeric, 2) AS amount,
                       -- received 2021-01-01 to 2022-12-31 (Asia/Shanghai)
                       timestamptz '2021-01-01 09:00+08' + floor(random() * 730) * interval '1 day'
                         + random() * interval '8 hours' AS received,
                       random() AS fate,
                       random() < 0.8 AS leaves,
                       (5 + random() * 80) * interval '1 day' AS after
                 WHERE g IS NOT NULL) AS x, -- correlated, so drawn anew per row
       -- when it leaves the account; not before 2023 (the demo's last day): still held
       LATERAL (SELECT CASE WHEN x.leaves THEN x.received + x.after
                            ELSE timestamptz 'infinity' END AS left_at) AS y;
