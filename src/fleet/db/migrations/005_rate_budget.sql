-- 005: one rate budget per key (and model) and one failure budget per account, shared by every worker
-- (src/fleet/state/pgRateLimiter.ts, pgFailureBudget.ts). Each decision is one call of a function below: it
-- locks the row, decides, updates and answers in one round trip. Times are the callers' clocks in ms.
--
-- A bucket follows the server's fixed windows: `reset_at` is the end of the current window as the
-- `x-ratelimit-reset-requests` header gave it; `granted` counts the requests let through in it; `in_flight`
-- holds the grant times of requests not yet answered (entries older than two windows — a worker killed
-- mid-request — are dropped, so a dead worker never holds capacity for long).
CREATE TABLE gondola.rate_buckets (
  bucket text PRIMARY KEY,
  lim integer,
  win bigint NOT NULL DEFAULT 0,
  reset_at bigint,
  prev_reset bigint,
  started_at bigint,
  granted integer NOT NULL DEFAULT 0,
  in_flight bigint[] NOT NULL DEFAULT '{}',
  blocked_until bigint NOT NULL DEFAULT 0,
  granted_total bigint NOT NULL DEFAULT 0,
  limited_total bigint NOT NULL DEFAULT 0,
  failures_total bigint NOT NULL DEFAULT 0
);

-- Venice blocks an account for 30 s after more than 20 failed requests in 30 s: failure times of the window
-- and the admission times of requests in flight, per account.
CREATE TABLE gondola.failure_budgets (
  account text PRIMARY KEY,
  failures bigint[] NOT NULL DEFAULT '{}',
  in_flight bigint[] NOT NULL DEFAULT '{}'
);

-- Removes one occurrence of `v` from `a`.
CREATE FUNCTION gondola.array_remove_one(a bigint[], v bigint) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN array_position(a, v) IS NULL THEN a ELSE a[1:array_position(a, v) - 1] || a[array_position(a, v) + 1:] END
$$;

-- 0 = admitted (counted in flight), else ms to wait before asking again.
CREATE FUNCTION gondola.budget_admit(p_account text, p_now bigint, p_max integer, p_window integer, p_margin integer, p_poll integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  f bigint[];
  fl bigint[];
  n integer;
  answer bigint := 0;
BEGIN
  INSERT INTO gondola.failure_budgets (account) VALUES (p_account) ON CONFLICT DO NOTHING;
  SELECT array(SELECT x FROM unnest(b.failures) x WHERE x > p_now - p_window ORDER BY x), array(SELECT x FROM unnest(b.in_flight) x WHERE x > p_now - 2 * p_window)
    INTO f, fl FROM gondola.failure_budgets b WHERE b.account = p_account FOR UPDATE;
  n := coalesce(array_length(f, 1), 0);
  IF n >= p_max THEN
    answer := f[n - p_max + 1] + p_window - p_now + p_margin;
  ELSIF n > 0 AND n + coalesce(array_length(fl, 1), 0) >= p_max THEN
    answer := p_poll;
  ELSE
    fl := fl || p_now;
  END IF;
  UPDATE gondola.failure_budgets SET failures = f, in_flight = fl WHERE account = p_account;
  RETURN greatest(answer, 0);
END $$;

CREATE FUNCTION gondola.budget_settle(p_account text, p_admitted_at bigint, p_at bigint, p_failed boolean)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE gondola.failure_budgets
     SET in_flight = gondola.array_remove_one(in_flight, p_admitted_at),
         failures = CASE WHEN p_failed THEN failures || p_at ELSE failures END
   WHERE account = p_account;
END $$;

CREATE FUNCTION gondola.budget_record(p_account text, p_at bigint)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO gondola.failure_budgets (account, failures) VALUES (p_account, ARRAY[p_at])
  ON CONFLICT (account) DO UPDATE SET failures = gondola.failure_budgets.failures || p_at
$$;

-- Asks for one request on `p_bucket` at `p_now` (and, with `p_account`, one admission from the account's
-- failure budget, in the same transaction). ok = may send; else wait_ms before asking again.
CREATE FUNCTION gondola.rate_acquire(p_bucket text, p_now bigint, p_limit integer, p_window integer, p_margin integer, p_poll integer,
                                     p_account text, p_max_failures integer, p_failure_window integer)
RETURNS TABLE (ok boolean, wait_ms bigint, win bigint) LANGUAGE plpgsql AS $$
DECLARE
  b gondola.rate_buckets%ROWTYPE;
  l integer;
  budget_wait bigint := 0;
BEGIN
  INSERT INTO gondola.rate_buckets (bucket, lim) VALUES (p_bucket, p_limit) ON CONFLICT DO NOTHING;
  SELECT * INTO b FROM gondola.rate_buckets WHERE bucket = p_bucket FOR UPDATE;
  b.in_flight := array(SELECT x FROM unnest(b.in_flight) x WHERE x > p_now - 2 * p_window);
  -- The window rolled over: the limit is available again, minus requests still in flight (the server may count
  -- them in the new window if they arrive late; if it counted them in the old one, settle gives the slot back).
  IF (b.reset_at IS NOT NULL AND p_now >= b.reset_at + p_margin) OR (b.reset_at IS NULL AND b.started_at IS NOT NULL AND p_now >= b.started_at + p_window) THEN
    b.win := b.win + 1;
    b.prev_reset := b.reset_at;
    b.reset_at := NULL;
    b.started_at := NULL;
    b.granted := coalesce(array_length(b.in_flight, 1), 0);
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

-- Reports the answer to a granted request: p_status NULL = no answer (connection error), -1 = not sent (the
-- slot is given back). Headers: p_reset (window end, ms), p_remaining, p_retry_after (ms).
CREATE FUNCTION gondola.rate_settle(p_bucket text, p_win bigint, p_granted_at bigint, p_now bigint, p_status integer, p_reset bigint,
                                    p_remaining integer, p_retry_after bigint, p_window integer, p_margin integer, p_account text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  b gondola.rate_buckets%ROWTYPE;
BEGIN
  SELECT * INTO b FROM gondola.rate_buckets WHERE bucket = p_bucket FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  b.in_flight := gondola.array_remove_one(b.in_flight, p_granted_at);
  IF p_status = -1 OR (p_status IS NULL AND b.lim IS NULL) THEN
    -- Not sent, or a probe that got no answer: the slot goes back (another request probes).
    IF p_win = b.win THEN b.granted := greatest(0, b.granted - 1); END IF;
  ELSIF p_status = 429 THEN
    b.limited_total := b.limited_total + 1;
    b.granted := greatest(b.granted, coalesce(b.lim, 1));
    b.blocked_until := greatest(b.blocked_until, coalesce(p_reset, p_now + p_retry_after, p_now + p_window) + p_margin);
    IF p_reset IS NOT NULL AND (b.reset_at IS NULL OR p_reset > b.reset_at) THEN b.reset_at := p_reset; END IF;
  ELSIF p_reset IS NOT NULL AND p_remaining IS NOT NULL THEN
    IF p_win < b.win AND p_reset <= p_now THEN
      -- Answered as counted in a window that is over: it was carried into this one at the rollover; give it back.
      b.granted := greatest(0, b.granted - 1);
    ELSIF b.reset_at IS NULL OR p_reset > b.reset_at THEN
      -- First news of this window: its end, and (when unknown) a lower bound of the limit.
      b.reset_at := p_reset;
      IF b.lim IS NULL THEN b.lim := p_remaining + 1; END IF;
    END IF;
    IF p_reset = b.reset_at AND b.lim IS NOT NULL THEN
      -- Someone else (another client on this key) used part of the window: never grant past what the server says.
      b.granted := greatest(b.granted, b.lim - p_remaining - coalesce(array_length(b.in_flight, 1), 0));
    END IF;
  END IF;
  IF p_status >= 400 THEN b.failures_total := b.failures_total + 1; END IF;
  UPDATE gondola.rate_buckets
     SET lim = b.lim, reset_at = b.reset_at, granted = b.granted, in_flight = b.in_flight, blocked_until = b.blocked_until,
         limited_total = b.limited_total, failures_total = b.failures_total
   WHERE bucket = p_bucket;
  IF p_account IS NOT NULL AND p_status IS DISTINCT FROM -1 THEN
    PERFORM gondola.budget_settle(p_account, p_granted_at, p_now, p_status >= 400);
  ELSIF p_account IS NOT NULL THEN
    PERFORM gondola.budget_settle(p_account, p_granted_at, p_now, false);
  END IF;
END $$;
