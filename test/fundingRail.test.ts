import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { chooseRail } from '../src/agent/fundingRail.js'
import { fundingPolicy, fundingPolicyFromEnv } from '../src/agent/fundingPolicy.js'
import { ConfigError } from '../src/config/ConfigError.js'
import { readEnv } from '../src/config/env.js'

const base = { minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: true }

describe('funding.rail (#29 item 4)', () => {
  it('auto takes the cheaper rail; a fixed setting wins; an unpriceable rail is never chosen by auto', () => {
    expect(chooseRail('auto', { diem: 1_230_000n, x402: 5_010_000n })).toBe('diem')
    expect(chooseRail('auto', { diem: 9_000_000n, x402: 5_010_000n })).toBe('x402')
    expect(chooseRail('auto', { diem: 5n, x402: 5n })).toBe('diem') // a tie stays on the rail every agent has
    expect(chooseRail('auto', { diem: undefined, x402: 5n })).toBe('x402')
    expect(chooseRail('auto', { diem: 5n, x402: undefined })).toBe('diem')
    expect(chooseRail('auto', { diem: undefined, x402: undefined })).toBe('diem')
    expect(chooseRail('x402', { diem: 1n, x402: 9n })).toBe('x402')
    expect(chooseRail('diem', { diem: 9n, x402: 1n })).toBe('diem')
  })

  it('is validated by zod where the policy enters, naming the field; the environment sets it', () => {
    expect(fundingPolicy({ ...base, rail: 'auto' }).rail).toBe('auto')
    expect(fundingPolicy(base).rail).toBeUndefined() // unset: diem, as before
    expect(() => fundingPolicy({ ...base, rail: 'usdc' })).toThrow(ConfigError)
    expect(() => fundingPolicy({ ...base, rail: 'usdc' })).toThrow(/^funding\.rail: /)
    const env = readEnv({ GONDOLA_FUNDING_RAIL: 'auto' })
    expect(fundingPolicyFromEnv(env).rail).toBe('auto')
    expect(fundingPolicyFromEnv(readEnv({})).rail).toBe('diem')
    expect(() => readEnv({ GONDOLA_FUNDING_RAIL: 'usd' })).toThrow(/GONDOLA_FUNDING_RAIL/)
  })
})
