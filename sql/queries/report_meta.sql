-- The year-end report's header.
-- $1 centre (NULL: all centres), $2 streams of the configured sources.
-- known: whether the store knows the centre; name: its name;
-- as_of: when the least recently polled of those streams was last polled
-- (epoch seconds; NULL until every one of them has been polled once).
SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM ggzy.center WHERE center_code = $1) AS known,
       (SELECT name FROM ggzy.center WHERE center_code = $1) AS name,
       (SELECT CASE WHEN count(*) = cardinality($2::text[])
                    THEN extract(epoch FROM min(polled_at))::bigint END
          FROM ggzy.watermark WHERE stream = ANY ($2::text[])) AS as_of
