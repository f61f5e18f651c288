-- Store schema, migration 14: the people of a distinct count, per year.
--
-- A distinct count (experts_participating_count: each expert counted once
-- however many evaluations they attended) read every image of its range:
-- at 10 M deals the year to date's 5 M assignments, 7 s for every /metrics
-- computed after a change. ggzy.person_year holds, per stream, measure,
-- year, centre and person, how many of the year's images have the measure
-- (not 0): one row per person where the images have one per evaluation.
-- ggzy.merge_images keeps it in the same transaction as the images (+1 for
-- a new image with the measure, -1 for the old one it replaces, a row at 0
-- deleted), ggzy.total_images makes it anew with the totals. A count over a
-- range inside one year whose other days have none of the measure's images
-- (the whole year; the year to date) reads these rows
-- (ggzy.distinct_count); any other range still reads the images.

-- people: the measure's images carry a person whom a distinct count
-- counts once (ggzy.person_year is kept for it).
ALTER TABLE ggzy.measure ADD COLUMN people boolean NOT NULL DEFAULT false;
UPDATE ggzy.measure SET people = true WHERE metric = 'expert_attended_count';

CREATE TABLE ggzy.person_year (
    stream   smallint NOT NULL,
    source   integer  NOT NULL,
    position smallint NOT NULL,
    year     smallint NOT NULL,
    center   text     NOT NULL,
    person   bytea    NOT NULL,
    -- No CHECK (images >= 0): an upsert checks the row it proposes, the
    -- -1 of a retraction, before it finds the row it updates.
    images   integer  NOT NULL,
    PRIMARY KEY (stream, position, year, center, person, source)
);
-- The rows a change took to 0, deleted after it (a probe, not a scan).
CREATE INDEX person_year_empty_idx ON ggzy.person_year (stream, source) WHERE images = 0;

-- A store that publishes its figures to a consolidated one
-- (sql/replication/publisher.sql) publishes these too; the subscriber
-- copies them after ALTER SUBSCRIPTION ... REFRESH PUBLICATION, and
-- counts from the images until then.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'ggzy_figures') THEN
        ALTER PUBLICATION ggzy_figures ADD TABLE ggzy.person_year;
    END IF;
END $$;

-- The people of the streams already loaded (a stream still loading gets
-- them from ggzy.total_images when it finishes).
INSERT INTO ggzy.person_year (stream, source, position, year, center, person, images)
SELECT i.stream, i.source, m.position, extract(year FROM i.day)::smallint, i.center, i.person,
       count(*)
  FROM ggzy.measure m
  JOIN ggzy.stream_state st ON st.stream = m.stream AND st.state = 'loaded'
  JOIN ggzy.image i ON i.stream = st.stream AND i.source = st.source
 WHERE m.people AND i.person IS NOT NULL
   AND (CASE m.position WHEN 1 THEN i.m1 WHEN 2 THEN i.m2 WHEN 3 THEN i.m3 WHEN 4 THEN i.m4
                        WHEN 5 THEN i.m5 WHEN 6 THEN i.m6 WHEN 7 THEN i.m7 WHEN 8 THEN i.m8
                        WHEN 9 THEN i.m9 WHEN 10 THEN i.m10 WHEN 11 THEN i.m11
                        WHEN 12 THEN i.m12 END) IS NOT NULL
 GROUP BY 1, 3, 4, 5, 6, 2
 ORDER BY 1, 3, 4, 5, 6, 2; -- the primary key's order: its index grows at its end
