-- Every row of a stream, in one pass whatever indexes the source has: a
-- first load reads the whole relation through a cursor of this. {stream} is
-- the stream's declaration (sql/collectors/<source>/<stream>.sql): $1 the
-- time zone, $2 the fingerprints' salt.
SELECT r.* FROM ({stream}) r WHERE r.day IS NOT NULL
