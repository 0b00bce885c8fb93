import { describe, expect, it } from 'vitest'
import { readEnv } from '../src/config/env.js'
import { ConfigError } from '../src/config/ConfigError.js'

describe('readEnv', () => {
  it('applies defaults for an empty environment', () => {
    const env = readEnv({})
    expect(env.GONDOLA_NETWORK).toBe('devnet')
    expect(env.GONDOLA_STATE_DIR).toBe('.gondola')
    expect(env.GONDOLA_POLICY_MAX_SLIPPAGE_BPS).toBe(50)
    expect(env.GONDOLA_POLICY_MAX_ETH_PER_SWAP).toBe('0.05')
  })

  it('treats empty strings as unset (copied .env.example lines)', () => {
    expect(readEnv({ BASE_RPC_URL: '', GONDOLA_NETWORK: '' }).GONDOLA_NETWORK).toBe('devnet')
  })

  it('names the variable and what to fix when a value is invalid', () => {
    const err = (() => {
      try {
        readEnv({ GONDOLA_POLICY_MAX_SLIPPAGE_BPS: 'lots' })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).shortMessage).toMatch(/^Invalid environment variable GONDOLA_POLICY_MAX_SLIPPAGE_BPS/)
    expect((err as ConfigError).metaMessages[0]).toContain('.env.example')
  })

  it('rejects a malformed private key without echoing it', () => {
    const secret = '0x1234'
    try {
      readEnv({ GONDOLA_PRIVATE_KEY: secret })
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toContain('GONDOLA_PRIVATE_KEY')
      expect((e as Error).message).not.toContain(secret)
    }
  })

  it('requires BASE_RPC_URL on the base network', () => {
    expect(() => readEnv({ GONDOLA_NETWORK: 'base' })).toThrow(/BASE_RPC_URL is required/)
    expect(readEnv({ GONDOLA_NETWORK: 'base', BASE_RPC_URL: 'https://mainnet.base.org' }).BASE_RPC_URL).toBe('https://mainnet.base.org')
  })

  it('lists every schema variable in .env.example', async () => {
    const { readFile } = await import('node:fs/promises')
    const { envSchema } = await import('../src/config/env.js')
    const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
    for (const key of Object.keys(envSchema.shape)) expect(example, key).toMatch(new RegExp(`^${key}=`, 'm'))
  })

  it('reads the emulator fault scope, and a misspelt one names the variable', () => {
    expect(readEnv({}).VENICE_EMULATOR_FAULT_SCOPE).toBe('inference')
    expect(readEnv({ VENICE_EMULATOR_FAULT_SCOPE: 'all' }).VENICE_EMULATOR_FAULT_SCOPE).toBe('all')
    expect(() => readEnv({ VENICE_EMULATOR_FAULT_SCOPE: 'everything' })).toThrow(/VENICE_EMULATOR_FAULT_SCOPE/)
  })
})
