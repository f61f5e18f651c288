-- The rows of a stream changed since a poll's bound ($3: the later of the
-- watermark and the source's clock at the previous poll, minus the overlap),
-- also those that no longer count (day NULL: their images are retracted).
-- Served by the contract's index on updated_at. $1 the time zone, $2 the
-- fingerprints' salt.
SELECT r.* FROM ({stream}) r WHERE r.updated_at > $3::timestamptz
