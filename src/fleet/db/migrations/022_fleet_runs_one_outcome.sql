-- 022: a run has at most one outcome (issue #27). pg-boss delivers a run at least once: an attempt that outlives
-- its lease (expired, handed to another worker) may still finish. Only the attempt holding the lease records the
-- run's outcome (src/fleet/jobs/registry.ts `recordRunEnd`); any other is `discarded` with its reason. This index
-- makes it an invariant of the table. Rows written before it (two attempts both `completed`) keep the first.
UPDATE gondola.fleet_runs r
   SET status = 'discarded',
       error = left('ended ' || r.status || ' after attempt ' || f.attempt || ' already ended the run; discarded (its spend is in the ledger)', 500)
  FROM (SELECT DISTINCT ON (job_id) job_id, attempt FROM gondola.fleet_runs
         WHERE status NOT IN ('active', 'failed', 'lost', 'discarded', 'error') ORDER BY job_id, finished_at NULLS LAST, attempt) f
 WHERE r.job_id = f.job_id AND r.attempt <> f.attempt AND r.status NOT IN ('active', 'failed', 'lost', 'discarded', 'error');

CREATE UNIQUE INDEX fleet_runs_one_outcome ON gondola.fleet_runs (job_id)
  WHERE status NOT IN ('active', 'failed', 'lost', 'discarded', 'error');
