-- 023: fewer round trips per agent step (issue #27). A step's writes after its answer (the rate budget's settle,
-- the ledger line, at a run's end its history record) already went in one statement; that statement now also asks
-- for the grant of the key's NEXT call (a prefetch), so that a step costs one round trip instead of two
-- (src/fleet/state/stepWriter.ts, pgRateLimiter.ts). Nothing of 005/021 changes: a prefetched grant is an ordinary
-- grant (rate_acquire), a lease of one window; the limiter gives an unused one back (rate_settle with status -1).

-- A key is contended while calls are told to wait: then no grant is taken ahead of need. A spare given back in a
-- full window would find every other worker asleep until the reset, and its slot would go unused; under
-- contention the budget, not the database, paces the calls anyway.
ALTER TABLE gondola.rate_buckets ADD COLUMN contended_until bigint NOT NULL DEFAULT 0;

-- rate_acquire (005/021, unchanged), noting a "wait" answer once the limit is known: the key stays contended for two
-- windows after it.
CREATE FUNCTION gondola.rate_acquire_noted(p_bucket text, p_now bigint, p_limit integer, p_window integer, p_margin integer, p_poll integer,
                                           p_account text, p_max_failures integer, p_failure_window integer)
RETURNS TABLE (ok boolean, wait_ms bigint, win bigint) LANGUAGE plpgsql AS $$
DECLARE
  a record;
BEGIN
  SELECT * INTO a FROM gondola.rate_acquire(p_bucket, p_now, p_limit, p_window, p_margin, p_poll, p_account, p_max_failures, p_failure_window);
  -- (Not while the limit is unknown: the first answers are on their way, and the callers wait for them, not for room.)
  IF NOT a.ok THEN
    UPDATE gondola.rate_buckets SET contended_until = greatest(contended_until, p_now + 2 * p_window) WHERE bucket = p_bucket AND lim IS NOT NULL;
  END IF;
  ok := a.ok;
  wait_ms := a.wait_ms;
  win := a.win;
  RETURN NEXT;
END $$;

-- A grant taken ahead of need: only while the key is not contended and the window has room to spare, so that a
-- grant that ends up unused never holds the window's last slots. Never waits: ok = false is "no spare", and the
-- call asks rate_acquire as before.
CREATE FUNCTION gondola.rate_prefetch(p_bucket text, p_now bigint, p_window integer, p_margin integer, p_poll integer,
                                      p_account text, p_max_failures integer, p_failure_window integer)
RETURNS TABLE (ok boolean, win bigint) LANGUAGE plpgsql AS $$
DECLARE
  b gondola.rate_buckets%ROWTYPE;
  live integer;
  used integer;
  a record;
BEGIN
  ok := false;
  win := 0;
  SELECT * INTO b FROM gondola.rate_buckets WHERE bucket = p_bucket FOR UPDATE;
  IF NOT FOUND OR b.lim IS NULL OR p_now < b.blocked_until OR p_now < b.contended_until THEN RETURN NEXT; RETURN; END IF;
  win := b.win;
  live := coalesce((SELECT count(*)::integer FROM unnest(b.in_flight) x WHERE x > p_now - p_window), 0);
  -- What rate_acquire will count as used once it has rolled the window over (or repaired a row with none open).
  IF (b.reset_at IS NOT NULL AND p_now >= b.reset_at + p_margin) OR (b.reset_at IS NULL AND b.started_at IS NOT NULL AND p_now >= b.started_at + p_window) THEN
    used := live;
  ELSIF b.reset_at IS NULL AND b.started_at IS NULL THEN
    used := least(b.granted, live);
  ELSE
    used := b.granted;
  END IF;
  -- A quarter of the window (at least one slot) stays for calls that need it now.
  IF used + 1 > b.lim - greatest(1, b.lim / 4) THEN RETURN NEXT; RETURN; END IF;
  SELECT * INTO a FROM gondola.rate_acquire(p_bucket, p_now, b.lim, p_window, p_margin, p_poll, p_account, p_max_failures, p_failure_window);
  ok := a.ok;
  win := a.win;
  RETURN NEXT;
END $$;

-- One step's writes, in order, in one statement: ledger lines and run records (idempotent appends), then the rate
-- budget's settles (each releases its grant), then the prefetches. Answers: one {ok, win} per prefetch, in order.
CREATE FUNCTION gondola.step_write(p_lines jsonb, p_records jsonb, p_settles jsonb, p_prefetches jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  s record;
  a record;
  answers jsonb := '[]'::jsonb;
BEGIN
  INSERT INTO gondola.ledger (dedupe, ts, agent, model, cost_diem, cost_usd, entry)
    SELECT x.dedupe, x.ts, x.agent, x.model, x.cost_diem, x.cost_usd, x.entry
      FROM jsonb_to_recordset(p_lines) AS x(dedupe text, ts timestamptz, agent text, model text, cost_diem double precision, cost_usd double precision, entry jsonb)
  ON CONFLICT (dedupe) DO NOTHING;
  INSERT INTO gondola.run_history (run_id, ts, agent, record)
    SELECT h.run_id, h.ts, h.agent, h.record FROM jsonb_to_recordset(p_records) AS h(run_id text, ts timestamptz, agent text, record jsonb)
  ON CONFLICT (run_id) DO NOTHING;
  FOR s IN SELECT x.* FROM jsonb_array_elements(p_settles) WITH ORDINALITY AS e(v, n),
                          jsonb_to_record(e.v) AS x(bucket text, win bigint, granted_at bigint, now bigint, status integer, reset bigint,
                                                   remaining integer, retry_after bigint, window_ms integer, margin integer, account text)
            ORDER BY e.n LOOP
    PERFORM gondola.rate_settle(s.bucket, s.win, s.granted_at, s.now, s.status, s.reset, s.remaining, s.retry_after, s.window_ms, s.margin, s.account);
  END LOOP;
  FOR s IN SELECT x.* FROM jsonb_array_elements(p_prefetches) WITH ORDINALITY AS e(v, n),
                          jsonb_to_record(e.v) AS x(bucket text, now bigint, window_ms integer, margin integer, poll integer, account text,
                                                   max_failures integer, failure_window integer)
            ORDER BY e.n LOOP
    SELECT * INTO a FROM gondola.rate_prefetch(s.bucket, s.now, s.window_ms, s.margin, s.poll, s.account, s.max_failures, s.failure_window);
    answers := answers || jsonb_build_object('ok', a.ok, 'win', a.win);
  END LOOP;
  RETURN answers;
END $$;
