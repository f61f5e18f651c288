-- The deals stream (SPEC §3): one image per row of deals, on its deal_at day
-- in the centre's zone, with every trading measure named after its metric.
-- The stream's declaration for the generic queries of sql/collectors/
-- (stream_*.sql wrap it): $1 the time zone, $2 the fingerprints' salt.
-- Columns: key, day (NULL: the row counts for nothing here), event_at and
-- updated_at (filters, not stored), labels, measures, fingerprint (a hash
-- of the image, so a change that moves no figure moves no fingerprint).
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center, i.category,
                                  i.deals_count, i.deal_amount, i.budget_amount,
                                  i.savings_amount, i.reserve_amount, i.premium_amount,
                                  i.fully_electronic_count, i.opened_count,
                                  i.remote_opening_count, i.service_fee_amount,
                                  i.cancelled_count)::text, 0) AS fingerprint
  FROM (SELECT d.deal_id AS key,
               (d.deal_at AT TIME ZONE $1::text)::date AS day,
               d.deal_at AS event_at,
               d.updated_at,
               d.center_code AS center,
               d.category,
               (d.status = 'awarded')::int AS deals_count,
               CASE WHEN d.status = 'awarded' THEN d.deal_amount END AS deal_amount,
               CASE WHEN d.status = 'awarded' THEN d.budget_amount END AS budget_amount,
               CASE WHEN d.status = 'awarded' THEN d.budget_amount - d.deal_amount END
                   AS savings_amount,
               CASE WHEN d.status = 'awarded' THEN d.reserve_price END AS reserve_amount,
               CASE WHEN d.status = 'awarded' THEN d.deal_amount - d.reserve_price END
                   AS premium_amount,
               (d.status = 'awarded' AND d.fully_electronic)::int AS fully_electronic_count,
               (d.status = 'awarded' AND d.opened_at IS NOT NULL)::int AS opened_count,
               (d.status = 'awarded' AND d.opened_at IS NOT NULL AND d.remote_opening)::int
                   AS remote_opening_count,
               CASE WHEN d.status = 'awarded' THEN d.service_fee END AS service_fee_amount,
               (d.status = 'cancelled')::int AS cancelled_count
          FROM deals d) i
