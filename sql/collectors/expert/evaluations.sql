-- The evaluations stream (SPEC §3): one image per evaluation session, on its
-- started_at day, labelled by centre, category, remote scope and venue role;
-- ref is the deal it evaluated (joined with the deals stream by figures
-- that need both). See sql/collectors/trading/deals.sql for the columns.
-- $1 the time zone, $2 the fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center, i.category, i.scope,
                                  i.role, i.ref, i.evaluations_count,
                                  i.remote_evaluations_count)::text, 0) AS fingerprint
  FROM (SELECT e.evaluation_id AS key,
               (e.started_at AT TIME ZONE $1::text)::date AS day,
               e.started_at AS event_at,
               e.updated_at,
               e.center_code AS center,
               e.category,
               coalesce(e.remote_scope, '') AS scope,
               coalesce(e.venue_role, '') AS role,
               e.deal_id AS ref,
               (e.status = 'done')::int AS evaluations_count,
               (e.status = 'done' AND e.remote)::int AS remote_evaluations_count
          FROM evaluations e) i
