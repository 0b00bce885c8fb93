-- 004: the spend ledger and the run history (src/fleet/state/pgLedger.ts, pgRunHistory.ts). Appends are
-- idempotent: a ledger line is keyed by its chat completion id (else the request id, else a hash of the line),
-- a run by its run id (the job id of a queued run), so a retried job never writes a line twice.
CREATE TABLE gondola.ledger (
  id bigserial PRIMARY KEY,
  dedupe text NOT NULL UNIQUE,
  ts timestamptz NOT NULL,
  agent text NOT NULL,
  model text NOT NULL,
  cost_diem double precision NOT NULL,
  cost_usd double precision NOT NULL,
  entry jsonb NOT NULL
);
CREATE INDEX ledger_ts ON gondola.ledger (ts);

CREATE TABLE gondola.run_history (
  id bigserial PRIMARY KEY,
  run_id text UNIQUE,
  ts timestamptz NOT NULL,
  agent text NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX run_history_agent ON gondola.run_history (agent, id);
