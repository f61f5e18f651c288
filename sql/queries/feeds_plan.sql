-- A feed's due periods (feeds_store.c): $1 feed, $2 what, $3 periods
-- (text[]) and $4 the instants of their scheduled runs (epoch seconds,
-- bigint[]), oldest first, every one at or before now. A feed the store has
-- no delivery of yet starts with the latest of them (a new feed sends the
-- last complete period at once, not the whole history); after that every
-- period whose run is later than the latest recorded one becomes due, so a
-- daemon that was down on the scheduled days catches up on each of them.
-- Returns how many deliveries were added.
WITH cand AS (
    SELECT u.p, to_timestamp(u.d) AS due
      FROM unnest($3::text[], $4::bigint[]) AS u(p, d)
),
latest AS (
    SELECT max(due_at) AS at FROM ggzy.feed_delivery WHERE feed = $1
),
added AS (
    INSERT INTO ggzy.feed_delivery (feed, period, what, due_at)
    SELECT $1, c.p, $2, c.due
      FROM cand c, latest l
     WHERE (l.at IS NULL AND c.due = (SELECT max(due) FROM cand)) OR c.due > l.at
    ON CONFLICT (feed, period) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added
