-- On every store to be consolidated (a county's, a city's), as a role that
-- owns the ggzy schema (or a superuser), with wal_level = logical in
-- postgresql.conf (a restart). Publishes the figure tables: the sources
-- and their streams' state, the row images, the day and month totals.
-- Their keys carry the source (a hash of its [source] name) and the centre
-- (a code unique nationwide), so the rows of many stores never collide as
-- long as every store names its sources uniquely ([source trading.NAME]).
-- Not published: the identity key, alert state, leases, claims, the
-- store's version (each store keeps its own).
CREATE PUBLICATION ggzy_figures FOR TABLE
    ggzy.source, ggzy.stream_state, ggzy.image, ggzy.day_total, ggzy.month_total,
    ggzy.person_year;

-- The centre hierarchy is reference data: publish it from the one store
-- that holds the whole tree (the province's own), not from each (a parent
-- that several stores hold would collide).
CREATE PUBLICATION ggzy_hierarchy FOR TABLE ggzy.center;

-- A role the consolidating store connects as:
--   CREATE ROLE ggzy_replicator LOGIN REPLICATION PASSWORD '...';
--   GRANT USAGE ON SCHEMA ggzy TO ggzy_replicator;
--   GRANT SELECT ON ggzy.source, ggzy.stream_state, ggzy.image, ggzy.day_total,
--                   ggzy.month_total, ggzy.center TO ggzy_replicator;
-- and a pg_hba.conf line for it.
