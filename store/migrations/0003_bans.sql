-- Bans outlive a restart: a number a host banned must not get back in
-- because the gateway did, nor a removed app participant's token work
-- again. Self-contained, so that it can be renumbered alone.
--
-- A phone's ban is by its number, an app participant's by its id: one of
-- the two is '' and the other is what the ban is lifted by.
CREATE TABLE bans (
    conference_id  TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    number         TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    name           TEXT NOT NULL,
    banned_by      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    banned_at_ns   BIGINT NOT NULL,
    PRIMARY KEY (conference_id, number, participant_id)
);
