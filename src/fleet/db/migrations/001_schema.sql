-- 001: the schema every Gondola table lives in (pg-boss keeps its own, `pgboss`). Migrations are applied by
-- src/fleet/db/migrate.ts in file-name order, each in its own transaction, under an advisory lock, so two
-- workers starting at once apply each one exactly once.
CREATE SCHEMA IF NOT EXISTS gondola;
