import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTool, toOpenAITool } from '../src/tools/defineTool.js'
import { parseVeniceHeadersOnce } from '../src/venice/headers.js'

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers.',
  schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
  handler: ({ a, b }) => a + b,
})

describe('per-step work done once', () => {
  it('converts a tool schema once, returns a frozen entry, and re-converts when the tool changes', () => {
    const first = toOpenAITool(add)
    expect(toOpenAITool(add)).toBe(first)
    expect(first.function.parameters).toMatchObject({ type: 'object', required: ['a', 'b'] })
    expect(Object.isFrozen(first) && Object.isFrozen(first.function) && Object.isFrozen(first.function.parameters)).toBe(true)
    expect(() => {
      ;(first.function.parameters as { type: string }).type = 'string'
    }).toThrow(TypeError)

    const renamed = { ...add, name: 'sum' }
    expect(toOpenAITool(renamed).function.name).toBe('sum')
    const widened = { ...add, schema: add.schema.extend({ c: z.number().describe('Third addend') }) }
    expect(toOpenAITool(widened).function.parameters).toMatchObject({ required: ['a', 'b', 'c'] })
    // Mutating the tool object in place is noticed too.
    const mutable = { ...add }
    const before = toOpenAITool(mutable)
    mutable.description = 'Adds two numbers, carefully.'
    expect(toOpenAITool(mutable)).not.toBe(before)
    expect(toOpenAITool(mutable).function.description).toBe('Adds two numbers, carefully.')
  })

  it('parses a response’s Venice headers once per headers object', () => {
    const h = new Headers({ 'x-venice-balance-diem': '12.5', 'x-ratelimit-remaining-requests': '19' })
    const a = parseVeniceHeadersOnce(h)
    expect(a).toMatchObject({ balanceDiem: 12.5, remainingRequests: 19 })
    expect(parseVeniceHeadersOnce(h)).toBe(a)
    expect(parseVeniceHeadersOnce(new Headers({ 'x-venice-balance-diem': '1' })).balanceDiem).toBe(1)
  })
})
