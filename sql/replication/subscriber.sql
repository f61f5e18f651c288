-- On the consolidated store (a province's of its counties, a nation's of
-- its provinces), after a ggzy-metricsd with no [source] has started on it
-- once (it creates the schema by its migrations, and then serves the store
-- read-only). Run with psql, once per publishing store:
--
--   psql -d ggzy_province -v name=xiangxi \
--        -v conninfo='host=db-xiangxi dbname=ggzy_metrics user=ggzy_replicator' \
--        -v hierarchy=1 -f sql/replication/subscriber.sql
--
-- (hierarchy=1 for the one store whose ggzy_hierarchy it takes, else 0).
-- PostgreSQL copies the tables' rows first, then streams every change
-- committed on the publisher; figures on this store equal the sum over the
-- publishers' sources, each row once.

-- Replicated rows are written by the apply worker, which does not move the
-- store's figures version: this trigger does, so that the daemon serving
-- this store (which keeps answers per version) sees them. ALWAYS: it fires
-- under replication too. Once per store; repeating it is harmless.
CREATE OR REPLACE FUNCTION ggzy.replicated_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ggzy.store_version SET version = version + 1;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS month_total_replicated ON ggzy.month_total;
CREATE TRIGGER month_total_replicated AFTER INSERT OR UPDATE OR DELETE ON ggzy.month_total
    FOR EACH ROW EXECUTE FUNCTION ggzy.replicated_figures();
ALTER TABLE ggzy.month_total ENABLE ALWAYS TRIGGER month_total_replicated;
DROP TRIGGER IF EXISTS center_replicated ON ggzy.center;
CREATE TRIGGER center_replicated AFTER INSERT OR UPDATE OR DELETE ON ggzy.center
    FOR EACH ROW EXECUTE FUNCTION ggzy.replicated_figures();
ALTER TABLE ggzy.center ENABLE ALWAYS TRIGGER center_replicated;

CREATE SUBSCRIPTION :"name" CONNECTION :'conninfo' PUBLICATION ggzy_figures;
\if :hierarchy
\set hierarchy_name :name _hierarchy
CREATE SUBSCRIPTION :"hierarchy_name" CONNECTION :'conninfo' PUBLICATION ggzy_hierarchy;
\endif
