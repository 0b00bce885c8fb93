/**
 * Shortens a secret for display: a short prefix and suffix only.
 *
 * @example
 * ```ts
 * redact('vk_4f1c9a2b7d0e8f3a6b5c') // 'vk_4f…6b5c'
 * ```
 */
export function redact(secret: string, visiblePrefix = 5, visibleSuffix = 4): string {
  if (secret.length <= visiblePrefix + visibleSuffix + 2) return `${secret.slice(0, 2)}…`
  return `${secret.slice(0, visiblePrefix)}…${secret.slice(-visibleSuffix)}`
}

/** Removes user:password credentials from a URL before it is shown (e.g. in an error). */
export function stripUrlCredentials(url: string): string {
  try {
    const u = new URL(url)
    if (u.username || u.password) {
      u.username = ''
      u.password = ''
    }
    // API keys in query strings (e.g. provider RPC URLs) are redacted too.
    for (const [k, v] of u.searchParams) if (/key|token|secret/i.test(k)) u.searchParams.set(k, redact(v))
    return u.toString().replace(/%E2%80%A6/g, '…')
  } catch {
    return url
  }
}
