-- Dropping the table drops its indexes and constraints with it.
DROP TABLE domains;
