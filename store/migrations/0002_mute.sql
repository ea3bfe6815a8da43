-- A participant's mute outlives a restart: a host's locked mute must not
-- come undone when the gateway does.
ALTER TABLE participants ADD COLUMN muted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE participants ADD COLUMN muted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE participants ADD COLUMN mute_locked BOOLEAN NOT NULL DEFAULT FALSE;
