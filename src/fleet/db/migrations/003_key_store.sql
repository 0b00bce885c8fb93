-- 003: the key store (src/fleet/state/pgKeyStore.ts). One document per scope, the same shape as keys.json
-- (ADMIN and INFERENCE keys with their secrets sealed, pending mint attempts, recent mints), changed only by a
-- read-modify-write under the row's lock (SELECT … FOR UPDATE). In fleet mode INFERENCE secrets are sealed under
-- GONDOLA_FLEET_SECRET (every worker) and the ADMIN key under GONDOLA_KEYSTORE_PASSWORD (the treasury only).
CREATE TABLE gondola.key_stores (
  scope text PRIMARY KEY,
  doc jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
