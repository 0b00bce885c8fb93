/**
 * Secrets out of everything shown: API keys reduced to a short prefix and suffix, and URLs stripped of
 * credentials — userinfo, every query value, and path segments shaped like provider keys (Alchemy
 * `/v2/<key>`, Infura `/v3/<key>`, QuickNode / Ankr / Chainstack / GetBlock token paths). The mechanism under
 * the one boundary, `publicError.ts`, which every surface calls (CLI line and `--json`, tool results, MCP results and
 * resources, dashboard API, logs, span events); configuration registers URL secrets here (`registerUrlSecrets`).
 *
 * Hand-written: no maintained library knows RPC providers' URL shapes; viem only strips userinfo.
 */

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

/** What a removed URL secret becomes. */
export const REDACTED = '***'

/** Path segments after which providers put the key: Alchemy `/v2/`, Infura `/v3/`, and versioned gateways. */
const KEY_AFTER = new Set(['v1', 'v2', 'v3', 'v4', 'rpc', 'ws', 'http'])

/**
 * Whether a URL path segment looks like a credential: 16+ hex characters (Infura, QuickNode, Ankr,
 * Chainstack, GetBlock), a UUID (Blast), or 20+ token characters mixing letters and digits (Alchemy,
 * Tenderly). Words such as `base-mainnet` or `generate_web3_key` are not.
 *
 * @example
 * ```ts
 * looksLikeKey('9aa3d95b3bc440fa88ea12eaa4456161') // true
 * looksLikeKey('base-mainnet') // false
 * ```
 */
export function looksLikeKey(segment: string, previous?: string): boolean {
  const s = decodeURIComponentSafe(segment)
  // Transaction hashes and addresses are public (explorer links).
  if (s.length < 8 || /^0x[0-9a-fA-F]+$/.test(s)) return false
  if (/^[0-9a-fA-F-]{16,}$/.test(s) && (s.match(/[0-9a-fA-F]/g)?.length ?? 0) >= 16) return true
  if (s.length >= 20 && /^[A-Za-z0-9_.~-]+$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s)) return true
  // After `/v2/` etc. any opaque token of 8+ characters is taken for a key (`/v2/demo` stays).
  return previous !== undefined && KEY_AFTER.has(previous.toLowerCase()) && /^[A-Za-z0-9_.~-]+$/.test(s) && /\d/.test(s)
}

/**
 * Removes credentials from one URL: userinfo, every query value, a fragment, and key-shaped path segments.
 * Returns the input unchanged when it is not a URL.
 *
 * @example
 * ```ts
 * redactUrl('https://base-mainnet.g.alchemy.com/v2/AbCdEf0123456789AbCdEf0123456789?apikey=s3cr3t')
 * // 'https://base-mainnet.g.alchemy.com/v2/***?apikey=***'
 * redactUrl('https://user:pass@rpc.example.com/') // 'https://***@rpc.example.com/'
 * ```
 */
export function redactUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return url
  }
  const hadUserinfo = Boolean(u.username || u.password)
  const segments = u.pathname.split('/')
  const keyAt = segments.map((seg, i) => looksLikeKey(seg, segments[i - 1]))
  // Nothing secret: the URL is shown exactly as given.
  if (!hadUserinfo && !u.search && !u.hash && !keyAt.includes(true)) return url
  const path = segments.map((seg, i) => (keyAt[i] ? REDACTED : seg)).join('/')
  const query = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&')
  return `${u.protocol}//${hadUserinfo ? `${REDACTED}@` : ''}${u.host}${path}${query ? `?${query}` : ''}${u.hash ? `#${REDACTED}` : ''}`
}

const URL_IN_TEXT = /\b(?:https?|wss?|postgres(?:ql)?):\/\/[^\s"'<>`\\)\]}]+/gi
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi
const API_KEY = /\b(vk_|sk-|VENICE[_-]?(?:INFERENCE|ADMIN)[_-]?KEY[_-]?)[A-Za-z0-9_-]{6,}/g
/** A superset of what the three patterns above can match: text without any of these has nothing for them. */
const MAYBE_SECRET = /:\/\/|bearer|vk_|sk-|venice/i

/** Secrets known from configuration (RPC URL keys), removed wherever they appear, even outside a URL. */
const knownSecrets = new Set<string>()

/**
 * Registers the credentials inside a configured URL (userinfo, query values, key-shaped path segments), so
 * `redactText` removes them even from text where they appear on their own (a provider echoing the key, an
 * error quoting a request body). Called where RPC URLs are configured.
 *
 * @example
 * ```ts
 * registerUrlSecrets('https://base-mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161')
 * redactText('key 9aa3d95b3bc440fa88ea12eaa4456161 rejected') // 'key *** rejected'
 * ```
 */
export function registerUrlSecrets(url: string | undefined): void {
  if (!url) return
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return
  }
  const add = (s: string) => {
    const plain = decodeURIComponentSafe(s)
    // Short values (`base`, `1`) would blank out ordinary words.
    for (const v of new Set([s, plain])) if (v.length >= 6) knownSecrets.add(v)
  }
  if (u.password) add(u.password)
  if (u.username && u.password) add(u.username)
  for (const v of u.searchParams.values()) add(v)
  const segments = u.pathname.split('/')
  segments.forEach((seg, i) => looksLikeKey(seg, segments[i - 1]) && add(seg))
}

/**
 * Redacts free text for display: every URL in it (`redactUrl`), bearer tokens, API-key-shaped strings, and
 * registered secrets.
 *
 * @example
 * ```ts
 * redactText('HTTP request failed. URL: https://rpc.ankr.com/base/0123456789abcdef0123456789abcdef')
 * // 'HTTP request failed. URL: https://rpc.ankr.com/base/***'
 * ```
 */
export function redactText(text: string): string {
  // One scan for what every pattern needs (a URL's "://", "bearer", a key prefix) before running three (every tool result passes here).
  let out = MAYBE_SECRET.test(text)
    ? text
        .replace(URL_IN_TEXT, (url) => redactUrl(url))
        .replace(BEARER, '$1[redacted]')
        .replace(API_KEY, '$1[redacted]')
    : text
  if (knownSecrets.size === 0) return out
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  return out
}

/**
 * Redacts every string inside a JSON-able value (for `--json` output and tool results).
 *
 * @example
 * ```ts
 * redactDeep({ rpc: 'https://u:p@host/' }) // { rpc: 'https://***@host/' }
 * ```
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T
  }
  return value
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
