-- The keys and fingerprints of a stream's rows in the given months ($3,
-- date[] of first days), in one pass: reconciliation compares them with the
-- store's images of those months row by row. $4 and $5 bound the event
-- time (the first month's start, the last month's end, a day wider each
-- side for the time zone) so that an index on it can serve. $1 the time
-- zone, $2 the fingerprints' salt.
SELECT r.key, r.fingerprint
  FROM ({stream}) r
 WHERE r.event_at >= $4::timestamptz AND r.event_at < $5::timestamptz
   AND date_trunc('month', r.day::timestamp)::date = ANY ($3::date[])
