-- 021: a key's rate budget can no longer wedge (issue #27). Under 005, a grant whose answer was never recorded
-- (Postgres down at settle time, or the worker SIGKILLed) left the row with granted = 1 and no window start once
-- the window rolled over; from then on rate_acquire answered "wait" forever. Now:
--   * every grant is a lease of one window: unanswered grants older than that stop holding capacity;
--   * a rollover that carries in-flight grants starts the new window at once, so it rolls over again;
--   * a row with no open window counts only live leases (this repairs rows wedged before this migration).
CREATE OR REPLACE FUNCTION gondola.rate_acquire(p_bucket text, p_now bigint, p_limit integer, p_window integer, p_margin integer, p_poll integer,
                                     p_account text, p_max_failures integer, p_failure_window integer)
RETURNS TABLE (ok boolean, wait_ms bigint, win bigint) LANGUAGE plpgsql AS $$
DECLARE
  b gondola.rate_buckets%ROWTYPE;
  l integer;
  budget_wait bigint := 0;
BEGIN
  INSERT INTO gondola.rate_buckets (bucket, lim) VALUES (p_bucket, p_limit) ON CONFLICT DO NOTHING;
  SELECT * INTO b FROM gondola.rate_buckets WHERE bucket = p_bucket FOR UPDATE;
  -- A grant is a lease of one window: a request still unanswered a window after its grant no longer holds
  -- capacity (the server counted it in a window that is over). Its answer may still come; settle ignores it.
  b.in_flight := array(SELECT x FROM unnest(b.in_flight) x WHERE x > p_now - p_window);
  -- The window rolled over: the limit is available again, minus requests still in flight (the server may count
  -- them in the new window if they arrive late; if it counted them in the old one, settle gives the slot back).
  IF (b.reset_at IS NOT NULL AND p_now >= b.reset_at + p_margin) OR (b.reset_at IS NULL AND b.started_at IS NOT NULL AND p_now >= b.started_at + p_window) THEN
    b.win := b.win + 1;
    b.prev_reset := b.reset_at;
    b.reset_at := NULL;
    b.started_at := NULL;
    b.granted := coalesce(array_length(b.in_flight, 1), 0);
    -- Carried requests open the new window now, so it rolls over again even if none of their answers arrive.
    IF b.granted > 0 THEN b.started_at := p_now; END IF;
  ELSIF b.reset_at IS NULL AND b.started_at IS NULL THEN
    -- No window is open (rows left by the version before this migration): only live leases count.
    b.granted := least(b.granted, coalesce(array_length(b.in_flight, 1), 0));
  END IF;
  l := coalesce(b.lim, 1);
  ok := false;
  IF p_now < b.blocked_until THEN
    wait_ms := b.blocked_until - p_now;
  ELSIF b.granted < l THEN
    IF p_account IS NOT NULL THEN
      budget_wait := gondola.budget_admit(p_account, p_now, p_max_failures, p_failure_window, p_margin, p_poll);
    END IF;
    IF budget_wait > 0 THEN
      wait_ms := budget_wait;
    ELSE
      ok := true;
      wait_ms := 0;
      b.granted := b.granted + 1;
      b.in_flight := b.in_flight || p_now;
      b.started_at := coalesce(b.started_at, p_now);
      b.granted_total := b.granted_total + 1;
    END IF;
  ELSIF b.reset_at IS NOT NULL THEN
    wait_ms := b.reset_at + p_margin - p_now;
  ELSIF b.lim IS NOT NULL AND b.prev_reset IS NOT NULL THEN
    -- This window's end is not known yet (no answer so far): fixed windows end one window after the last.
    wait_ms := greatest(p_poll, b.prev_reset + p_window + p_margin - p_now);
  ELSE
    wait_ms := p_poll;
  END IF;
  UPDATE gondola.rate_buckets
     SET win = b.win, reset_at = b.reset_at, prev_reset = b.prev_reset, started_at = b.started_at, granted = b.granted,
         in_flight = b.in_flight, granted_total = b.granted_total
   WHERE bucket = p_bucket;
  wait_ms := greatest(wait_ms, 1) * (NOT ok)::integer;
  win := b.win;
  RETURN NEXT;
END $$;

