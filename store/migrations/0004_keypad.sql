-- Phone callers' keys are commands unless a host switched them off; a
-- participant's raised hand and "needs help" mark outlive a restart, so
-- that a host still sees who waits to speak or asked for one.
ALTER TABLE conferences ADD COLUMN keypad BOOLEAN NOT NULL DEFAULT TRUE;
-- When the hand went up, in Unix nanoseconds; 0 while it is down.
ALTER TABLE participants ADD COLUMN hand_raised_at_ns BIGINT NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN help BOOLEAN NOT NULL DEFAULT FALSE;
