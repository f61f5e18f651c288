-- The latest published version of a year and centre ('' for all), with its
-- JSON document (the current report says what moved since).
-- $1 year, $2 centre. No row when none was published.
SELECT version, floor(extract(epoch FROM published_at))::bigint AS published_at,
       convert_from(json, 'UTF8') AS json
  FROM ggzy.published_report
 WHERE year = $1::integer AND center = $2::text
 ORDER BY version DESC
 LIMIT 1
