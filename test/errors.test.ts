import { describe, expect, it } from 'vitest'
import { BaseError } from '../src/errors/BaseError.js'

class InnerError extends BaseError {
  override name = 'InnerError' as const
}
class OuterError extends BaseError {
  override name = 'OuterError' as const
}

describe('BaseError', () => {
  it('builds the message in a fixed order', () => {
    const err = new OuterError('Swap refused.', { metaMessages: ['Cap: 0.05 ETH'], details: 'policy' })
    expect(err.message).toMatchInlineSnapshot(`
      "Swap refused.

      Cap: 0.05 ETH

      Details: policy"
    `)
    expect(err.name).toBe('OuterError')
  })

  it('walks the cause chain', () => {
    const inner = new InnerError('reverted: CooldownNotOver')
    const outer = new OuterError('Unstake failed.', { cause: inner })
    expect(outer.details).toBe('reverted: CooldownNotOver')
    expect(outer.walk()).toBe(inner)
    expect(outer.walk((e) => e instanceof InnerError)).toBe(inner)
    expect(outer.walk((e) => e instanceof TypeError)).toBeNull()
  })
})
