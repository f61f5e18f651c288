-- Read-only roles for Grafana and other SQL readers of the store: run once,
-- connected to the store database, before or after the daemon's first start,
-- as a superuser (or as the store's owner if that role has CREATEROLE: it
-- creates roles and grants on the database and the views the owner owns);
-- running it again is harmless.
--
--   sudo -u postgres psql -d ggzy_metrics -v password='…' -f sql/grafana/readonly_role.sql
--
-- Creates
--   ggzy_reader   NOLOGIN group: USAGE on schema ggzy_api and SELECT on its
--                 views (nothing in schema ggzy, the daemon's own tables);
--   ggzy_grafana  LOGIN, member of ggzy_reader, search_path ggzy_api, every
--                 transaction read-only, statements limited to 30 s.
-- The password is set only when -v password=… is given (peer or certificate
-- authentication need none). The daemon's migrations grant ggzy_reader on
-- views they create later (ggzy.grant_api_read()), so the order of this
-- script and the daemon's start does not matter.
\set ON_ERROR_STOP on

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ggzy_reader') THEN
        CREATE ROLE ggzy_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ggzy_grafana') THEN
        CREATE ROLE ggzy_grafana LOGIN;
    ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ggzy_grafana'
                     AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls)) THEN
        RAISE EXCEPTION 'role ggzy_grafana exists with more than read rights; refusing';
    END IF;
    IF NOT pg_has_role('ggzy_grafana', 'ggzy_reader', 'MEMBER') THEN
        GRANT ggzy_reader TO ggzy_grafana;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO ggzy_reader', current_database());
    IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'ggzy_api') THEN
        GRANT USAGE ON SCHEMA ggzy_api TO ggzy_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA ggzy_api TO ggzy_reader;
    END IF;
END $$;

ALTER ROLE ggzy_grafana SET search_path = ggzy_api;
ALTER ROLE ggzy_grafana SET default_transaction_read_only = on;
ALTER ROLE ggzy_grafana SET statement_timeout = '30s';
\if :{?password}
ALTER ROLE ggzy_grafana PASSWORD :'password';
\endif
