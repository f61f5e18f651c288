-- Store schema, migration 13: published versions of the year-end report
-- (SPEC §11), and what the store needs to tell what moved after them.
--
-- (Numbered 013 while 014 may be written on another branch; the daemon
-- applies every compiled migration a store lacks, in number order.)
--
-- A version is published by ggzy.publish_report (sql/functions/) in ONE
-- transaction: the report's documents, in every format the daemon makes
-- (json, csv, md, and xlsx; xlsx is NULL only for a daemon built without
-- workbooks), their SHA-256 (of the JSON bytes, checked here), and a
-- snapshot of the row images contributing to that year and centre. A
-- kill -9 at any moment leaves a whole version or none, and versions of a
-- (year, centre) are numbered 1, 2, 3 ... without gaps (the function holds
-- a lock per year while it numbers). They live in the store, so a backup
-- keeps them, and nothing may change or remove them afterwards: the
-- triggers below refuse UPDATE, DELETE and TRUNCATE.
--
-- What moved after a version: its snapshot (ggzy.published_image) joined
-- with the current images of the year and centre, keyed by stream, source
-- and source row, gives before and after for every row whose day, labels
-- or measures differ (a row moved out of the year shows after = its image
-- wherever it went, NULL when the row is gone). Exact, and it costs the
-- poll nothing. The snapshot holds the images whose day falls in the year
-- (every non-derived stream); stocks and the previous year's figures of
-- the report are not covered by the snapshot (a deposit received the year
-- before and refunded in this one shows through its refund's image).
-- The one thing the join cannot know is when the daemon saw a change:
-- ggzy.merge_images notes, per changed key, the time it applied the
-- change (ggzy.image_change), only for rows whose old or new day falls in
-- a year that has a published version, so that the poll path does no more
-- than one look at this small table's years while nothing is published.

CREATE TABLE ggzy.published_report (
    id            bigserial   PRIMARY KEY,
    year          integer     NOT NULL,
    center        text        NOT NULL DEFAULT '',   -- '' for all centres
    version       integer     NOT NULL CHECK (version >= 1),
    published_at  timestamptz NOT NULL DEFAULT now(),
    store_version bigint      NOT NULL,             -- ggzy.store_version the documents show
    sha256        text        NOT NULL,             -- hex SHA-256 of json
    json          bytea       NOT NULL,
    csv           bytea       NOT NULL,
    md            bytea       NOT NULL,
    xlsx          bytea,
    UNIQUE (year, center, version),
    CHECK (sha256 = encode(sha256(json), 'hex'))
);
-- The years with a published version (ggzy.merge_images asks on every
-- changed batch): an index-only scan.
CREATE INDEX published_report_year_idx ON ggzy.published_report (year);

-- The images of a version's year and centre as they were when it was
-- published (person and ref are not kept: never shown).
CREATE TABLE ggzy.published_image (
    report   bigint   NOT NULL REFERENCES ggzy.published_report,
    stream   smallint NOT NULL,
    source   integer  NOT NULL,
    key      text     NOT NULL,
    day      date     NOT NULL,
    center   text     NOT NULL,
    category text     NOT NULL,
    kind     text     NOT NULL,
    scope    text     NOT NULL,
    role     text     NOT NULL,
    m1 numeric, m2 numeric, m3 numeric, m4 numeric, m5 numeric, m6 numeric,
    m7 numeric, m8 numeric, m9 numeric, m10 numeric, m11 numeric, m12 numeric,
    PRIMARY KEY (report, stream, source, key)
);

-- When the daemon last applied a change to a key whose old or new day is
-- in a published year (one row per key: the latest).
CREATE TABLE ggzy.image_change (
    stream  smallint    NOT NULL,
    source  integer     NOT NULL,
    key     text        NOT NULL,
    seen_at timestamptz NOT NULL,
    PRIMARY KEY (stream, source, key)
);

CREATE FUNCTION ggzy.published_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published report versions are immutable (%.% refused)', TG_TABLE_NAME, TG_OP;
END $$;
CREATE TRIGGER published_report_immutable BEFORE UPDATE OR DELETE ON ggzy.published_report
    FOR EACH ROW EXECUTE FUNCTION ggzy.published_immutable();
CREATE TRIGGER published_report_no_truncate BEFORE TRUNCATE ON ggzy.published_report
    FOR EACH STATEMENT EXECUTE FUNCTION ggzy.published_immutable();
CREATE TRIGGER published_image_immutable BEFORE UPDATE OR DELETE ON ggzy.published_image
    FOR EACH ROW EXECUTE FUNCTION ggzy.published_immutable();
CREATE TRIGGER published_image_no_truncate BEFORE TRUNCATE ON ggzy.published_image
    FOR EACH STATEMENT EXECUTE FUNCTION ggzy.published_immutable();

-- For SQL readers: the versions without their documents.
CREATE VIEW ggzy_api.published_reports AS
SELECT year, nullif(center, '') AS center, version, published_at, sha256
  FROM ggzy.published_report;
SELECT ggzy.grant_api_read();
