import { expect, afterAll, beforeAll } from 'vitest'
import type { Address } from 'viem'
import { createChainReader, createStaticChainReader, type ChainReader } from '../../devnet/src/emulator/chainReader.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { getSpecValidators } from '../../devnet/src/emulator/spec/validators.js'
import { startEmulator, type Emulator, type StartEmulatorOptions } from '../../devnet/src/emulator/startEmulator.js'

/**
 * One in-process Venice emulator per test file (free port, started in `beforeAll`, stopped in
 * `afterAll`). Without `chain`, wallets listed in `stakes` have that sVVV (and staked DIEM).
 *
 * @returns a getter for the running emulator (valid inside tests and hooks).
 *
 * @example
 * ```ts
 * const emulator = useEmulator({ stakes: { [alice]: { svvv: 10n ** 18n } } })
 * it('chats', async () => {
 *   const { apiKey } = emulator().createKey(alice)
 *   const openai = new OpenAI({ apiKey, baseURL: emulator().baseURL, maxRetries: 0 })
 * })
 * ```
 */
export function useEmulator(
  options: Omit<Partial<StartEmulatorOptions>, 'chain'> & {
    stakes?: Record<string, { svvv?: bigint; stakedDiem?: bigint }>
    chain?: ChainReader | (() => ChainReader)
  } = {},
): () => Emulator {
  let emulator: Emulator | undefined
  beforeAll(async () => {
    const { stakes, chain, ...rest } = options
    const reader = typeof chain === 'function' ? chain() : (chain ?? createStaticChainReader(stakes ?? {}))
    emulator = await startEmulator({ ...rest, chain: reader })
  })
  afterAll(async () => {
    await emulator?.stop()
  })
  return () => {
    if (!emulator) throw new Error('useEmulator(): the emulator is only available inside tests and hooks.')
    return emulator
  }
}

/**
 * `useEmulator` reading stakes from the test file's devnet (the usual pairing for key, host and CLI tests).
 *
 * @example
 * ```ts
 * const devnet = useDevnet()
 * const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
 * ```
 */
export function useEmulatorOn(devnet: () => Devnet, options: Omit<Partial<StartEmulatorOptions>, 'chain'> = {}): () => Emulator {
  return useEmulator({ ...options, chain: () => createChainReader({ publicClient: devnet().publicClient, addresses: devnet().addresses }) })
}

/**
 * Asserts that `body` is valid for the spec's response schema of `method path` with `status`
 * (`path` as in the spec, e.g. `/api_keys/{id}`). Fails when the spec defines no JSON schema there.
 *
 * @example
 * ```ts
 * expectSpecResponse('/models', 'get', 200, await res.json())
 * ```
 */
export function expectSpecResponse(path: string, method: string, status: number, body: unknown): void {
  const validate = getSpecValidators().response(path, method, status)
  expect(validate, `spec has a JSON response schema for ${method.toUpperCase()} ${path} ${status}`).toBeDefined()
  const ok = validate!(body)
  expect(ok ? null : { errors: validate!.errors, body: JSON.stringify(body).slice(0, 600) }).toBeNull()
}

/**
 * Asserts that `body` is valid for the spec's named schema (`components/schemas/<name>`), for bodies whose
 * path-level schema cannot decide (the chat 402 is `oneOf` StandardError / X402InferencePaymentRequired, and
 * the latter's `PAYMENT_REQUIRED` form also matches StandardError, so `oneOf` rejects every such body).
 *
 * @example
 * ```ts
 * expectSpecSchema('X402InferencePaymentRequired', res.json)
 * ```
 */
export function expectSpecSchema(name: string, body: unknown): void {
  const validate = getSpecValidators().component(name)
  expect(validate, `spec has components/schemas/${name}`).toBeDefined()
  const ok = validate!(body)
  expect(ok ? null : { errors: validate!.errors, body: JSON.stringify(body).slice(0, 600) }).toBeNull()
}

/**
 * Fetches `baseURL + path` and returns status, headers and parsed JSON (or raw bytes for non-JSON).
 *
 * @example
 * ```ts
 * const { status, json } = await call(emulator().baseURL, '/models?type=text')
 * ```
 */
export async function call(baseURL: string, path: string, init: { method?: string; apiKey?: string; body?: unknown } = {}) {
  const res = await fetch(baseURL + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.apiKey ? { authorization: `Bearer ${init.apiKey}` } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const type = res.headers.get('content-type') ?? ''
  const json = type.includes('json') ? ((await res.json()) as any) : undefined
  const bytes = json === undefined ? Buffer.from(await res.arrayBuffer()) : undefined
  return { status: res.status, headers: res.headers, json, bytes }
}

/** A fixed address for tests that need a wallet without keys. */
export const ALICE: Address = '0x00000000000000000000000000000000000A11CE'
