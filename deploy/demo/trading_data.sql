-- Deterministic demo data for the trading source (run with psql after
-- sql/contract/trading.sql). Variables: rows (default 20000), seed (0..1).
\if :{?rows} \else \set rows 20000 \endif
\if :{?seed} \else \set seed 0.42 \endif
SELECT setseed(:seed);

INSERT INTO centers (center_code, name, parent_code, level) VALUES
    ('430000', '湖南省公共资源交易中心', NULL, 'province'),
    ('430100', '长沙市公共资源交易中心', '430000', 'city'),
    ('430102', '芙蓉区公共资源交易中心', '430100', 'county'),
    ('430104', '岳麓区公共资源交易中心', '430100', 'county'),
    ('433100', '湘西州公共资源交易中心', '430000', 'city'),
    ('433101', '吉首市公共资源交易中心', '433100', 'county'),
    ('433122', '泸溪县公共资源交易中心', '433100', 'county');

-- Deals from 2021-01-01 to 2022-12-31 (Asia/Shanghai), many near midnight so
-- the year boundary matters, some with no budget or reserve, some cancelled.
INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
                   reserve_price, deal_amount, opened_at, deal_at, fully_electronic,
                   remote_opening, status, service_fee)
SELECT 'D' || lpad(g::text, 8, '0'),
       'P' || (g / 3),
       (ARRAY['430000','430100','430102','430104','433100','433101','433122'])[1 + floor(random() * 7)::int],
       cat,
       (ARRAY['open_tender','invited','auction','listing','competitive_negotiation'])[1 + floor(random() * 5)::int],
       CASE WHEN random() < 0.8 THEN round(amount * (1.0 + random() * 0.2)::numeric, 2) END,
       CASE WHEN cat IN ('land_mineral', 'state_property') OR random() < 0.1
            THEN round(amount * (0.8 + random() * 0.15)::numeric, 2) END,
       amount,
       CASE WHEN random() < 0.85 THEN at - interval '2 days' END,
       at,
       random() < 0.9,
       random() < 0.6,
       CASE WHEN random() < 0.05 THEN 'cancelled' ELSE 'awarded' END,
       round(amount * 0.001, 2)
  FROM generate_series(1, :rows) AS g,
       LATERAL (SELECT (ARRAY['engineering','gov_procurement','land_mineral','state_property','medical','other'])
                           [1 + floor(random() * 6)::int] AS cat,
                       round((10000 + random() * random() * 50000000)::numeric, 2) AS amount,
                       timestamptz '2021-01-01 00:00+08'
                         + floor(random() * 730) * interval '1 day'
                         + CASE WHEN g % 10 = 0 THEN interval '23 hours 50 minutes'
                                ELSE random() * interval '23 hours 30 minutes' END
                         AS at) AS x;
