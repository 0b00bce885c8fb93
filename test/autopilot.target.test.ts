import { describe, expect, it } from 'vitest'
import { parseTarget } from '../src/autopilot/fromEnv.js'
import { ConfigError } from '../src/config/ConfigError.js'
import { readEnv } from '../src/config/env.js'
import { ExitCode } from '../src/errors/exitCodes.js'

const configErrorOf = (vars: Record<string, string>) => {
  try {
    readEnv(vars)
  } catch (e) {
    return e as ConfigError
  }
  throw new Error('readEnv accepted it')
}

describe('the autopilot target is checked where it is read (issue #28 autopilot item 7, 3)', () => {
  it('GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY=0 is refused by the environment check (exit 3, naming the variable)', () => {
    const err = configErrorOf({ GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY: '0' })
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.exitCode).toBe(ExitCode.config)
    expect(err.shortMessage).toMatch(/GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY/)
    expect(err.message).toMatch(/more than 0/)
  })

  it('an order-of-magnitude typo (1000000000000000000) is refused, from the environment and from --target', () => {
    expect(configErrorOf({ GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY: '1000000000000000000' }).message).toMatch(/at most 100000/)
    expect(() => parseTarget('1000000000000000000', '--target')).toThrow(/--target must be at most 100000 Diem per day/)
    expect(parseTarget('1.5', '--target')).toBe(1_500_000_000_000_000_000n)
  })
})
