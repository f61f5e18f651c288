-- One document of a published report version (SPEC §11), as stored.
-- $1 year, $2 centre ('' for all), $3 version, $4 format (json | csv | md |
-- xlsx). Returns no row for an unknown version; body NULL when that
-- format was not made (xlsx by a daemon without workbooks).
SELECT encode(CASE $4::text WHEN 'json' THEN json WHEN 'csv' THEN csv
                            WHEN 'md' THEN md WHEN 'xlsx' THEN xlsx END, 'hex') AS body,
       sha256
  FROM ggzy.published_report
 WHERE year = $1::integer AND center = $2::text AND version = $3::integer
