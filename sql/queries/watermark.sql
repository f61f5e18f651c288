-- A stream's poll position (scheduler.c): the newest updated_at committed
-- with its figures. $1 the stream. No row: the stream has never been loaded.
SELECT updated_at FROM ggzy.watermark WHERE stream = $1
