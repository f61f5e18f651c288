-- Deterministic demo data for the expert source's optional relation experts
-- (run with psql after sql/contract/expert.sql, sql/contract/expert_pool.sql
-- and expert_data.sql): the pool the drawn experts (X1 .. X900) come from,
-- enrolled since 2018, some of them leaving during 2021 and 2022, some
-- enrolled in those years. Variables: seed.
\if :{?seed} \else \set seed 0.45 \endif
SELECT setseed(:seed);

INSERT INTO experts (expert_id, center_code, enrolled_at, left_at)
SELECT 'X' || g,
       (ARRAY['430000','430100','430102','430104','433100','433101','433122'])[1 + floor(random() * 7)::int],
       enrolled,
       CASE WHEN random() < 0.12
            THEN greatest(enrolled, timestamptz '2021-01-01 09:00+08')
                 + floor(random() * 700) * interval '1 day' END
  FROM generate_series(1, 1000) AS g,
       -- most enrolled 2018-2020, the last 200 during 2021 and 2022
       LATERAL (SELECT CASE WHEN g <= 800
                            THEN timestamptz '2018-01-01 09:00+08' + floor(random() * 1090) * interval '1 day'
                            ELSE timestamptz '2021-01-01 09:00+08' + floor(random() * 700) * interval '1 day'
                       END AS enrolled
                 WHERE g IS NOT NULL) AS x;
