-- 002: the wallet journal (src/fleet/state/pgJournal.ts) and who holds an advisory lock (src/fleet/state/advisoryLock.ts).
-- One row per run of a wallet action; `wallet` is `<chainId>[-<chainInstance>]:<address lowercased>`. Steps
-- (signed transactions with their raw bytes, then their outcome) are kept as JSON in the run's row: every
-- change of a run is one UPDATE of one row, written before the transaction it records is broadcast.
CREATE TABLE gondola.wallet_runs (
  id bigserial PRIMARY KEY,
  wallet text NOT NULL,
  key text NOT NULL,
  intent text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'done', 'failed', 'interrupted')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  steps jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX wallet_runs_wallet ON gondola.wallet_runs (wallet, id);

-- The process that holds a named advisory lock, for the "busy" message of the one that waits. Informational:
-- the lock itself is Postgres's session-level advisory lock, freed when its connection ends.
CREATE TABLE gondola.lock_holders (
  name text PRIMARY KEY,
  pid integer NOT NULL,
  hostname text NOT NULL,
  started_at timestamptz NOT NULL
);
