-- The conferences, their breakout rooms and their app participants: what
-- a restart must give back. Phones and audio sessions are not here, as no
-- process but the one holding them can carry them on.
--
-- Kept to SQL that PostgreSQL speaks too: times are Unix nanoseconds in
-- BIGINT, flags are BOOLEAN, upserts use ON CONFLICT.

CREATE TABLE conferences (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL,
    dial_in          TEXT NOT NULL UNIQUE,
    pin              TEXT NOT NULL,
    breakout_enabled BOOLEAN NOT NULL,
    created_at_ns    BIGINT NOT NULL,
    -- No event of the conference has gone past this number.
    event_seq        BIGINT NOT NULL
);

-- Breakout rooms only: every conference has its main room.
CREATE TABLE rooms (
    conference_id TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL CHECK (number BETWEEN 1 AND 20),
    PRIMARY KEY (conference_id, number)
);

CREATE TABLE participants (
    conference_id  TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    moderator      BOOLEAN NOT NULL,
    room           TEXT NOT NULL,
    client_version TEXT NOT NULL,
    -- Join order within the conference.
    seq            BIGINT NOT NULL,
    joined_at_ns   BIGINT NOT NULL,
    PRIMARY KEY (conference_id, id)
);
