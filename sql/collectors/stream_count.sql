-- How many rows a first load of the stream will read (its progress and
-- ETA). $1 the time zone, $2 the fingerprints' salt.
SELECT count(*) FROM ({stream}) r WHERE r.day IS NOT NULL
