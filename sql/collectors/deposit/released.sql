-- The deposit_released stream: the outflow of the deposits held (SPEC §3:
-- held on D when received_at <= D < refunded_at, refunded_at NULL for
-- never). One image per deposit that has left the account, whatever the
-- reason, on the later of its refund and receipt days, taking out what
-- deposit_received put in. A deposit not yet refunded counts for nothing
-- here (day NULL). See sql/collectors/trading/deals.sql for the columns. $1
-- the time zone, $2 the fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center, i.category, i.kind,
                                  i.deposit_held_count, i.deposit_held_amount)::text, 0)
           AS fingerprint
  FROM (SELECT p.deposit_id AS key,
               CASE WHEN p.refunded_at IS NOT NULL
                    THEN (greatest(p.refunded_at, p.received_at) AT TIME ZONE $1::text)::date
               END AS day,
               greatest(p.refunded_at, p.received_at) AS event_at,
               p.updated_at,
               p.center_code AS center,
               p.category,
               p.kind,
               -1 AS deposit_held_count,
               -p.amount AS deposit_held_amount
          FROM deposits p) i
