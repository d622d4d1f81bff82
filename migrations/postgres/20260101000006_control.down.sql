-- Reverts migration 6: the do-not-contact list goes.
DROP TABLE suppressions;
