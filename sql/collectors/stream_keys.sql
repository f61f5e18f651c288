-- The rows of a stream with the given keys ($3, text[]), through the
-- relation's primary key: what reconciliation fetches of a month that
-- differs. A key the source no longer has is not returned (the daemon
-- retracts it). $1 the time zone, $2 the fingerprints' salt.
SELECT r.* FROM ({stream}) r WHERE r.key = ANY ($3::text[])
