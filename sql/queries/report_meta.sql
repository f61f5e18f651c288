-- The year-end report's header.
-- $1 centre (NULL: all centres), $2 the configured sources' names (text[]).
-- known: whether the store knows the centre; name: its name;
-- as_of: ggzy.as_of of those sources (epoch seconds, NULL until each of
-- their streams has been polled once).
SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM ggzy.center WHERE center_code = $1) AS known,
       (SELECT name FROM ggzy.center WHERE center_code = $1) AS name,
       ggzy.as_of($2::text[]) AS as_of
