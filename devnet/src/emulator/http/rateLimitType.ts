/**
 * The `x-ratelimit-type` of every 429 the emulator sends: one of the documented values (`user`, `api_key`,
 * `global`; API reference, "Response Headers"). Its limits (RPM/RPD/TPM windows and the failure breaker) count per
 * account, every key of a wallet together, so `user`. Which limit tripped is in `/api_keys/rate_limits/log`.
 */
export const RATE_LIMIT_TYPE = 'user'
