-- 020: what `gondola fleet status` shows besides pg-boss's own queues (schema `pgboss`).
-- Workers register and heartbeat here; a worker whose heartbeat is older than a few intervals is stale
-- (SIGKILLed, or its machine gone). `info` holds what it last saw (runway per agent, wallet address).
CREATE TABLE gondola.fleet_workers (
  id text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('agent', 'treasury')),
  host text NOT NULL,
  pid integer NOT NULL,
  concurrency integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz,
  info jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- One row per attempt of a queued run (pg-boss job): a run retried after its worker died has two rows with
-- the same job id. Counts and status only: no prompt, no output.
CREATE TABLE gondola.fleet_runs (
  job_id uuid NOT NULL,
  attempt integer NOT NULL,
  agent text NOT NULL,
  worker_id text NOT NULL,
  status text NOT NULL,
  steps integer,
  cost_diem double precision,
  cost_usd double precision,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (job_id, attempt)
);
CREATE INDEX fleet_runs_started ON gondola.fleet_runs (started_at DESC);
