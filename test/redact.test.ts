import { describe, expect, it } from 'vitest'
import { redact, stripUrlCredentials } from '../src/util/redact.js'

describe('redact', () => {
  it('keeps only a short prefix and suffix of a secret', () => {
    expect(redact('vk_4f1c9a2b7d0e8f3a6b5c')).toBe('vk_4f…6b5c')
    expect(redact('short')).toBe('sh…')
  })

  it('strips credentials and key-like query values from URLs', () => {
    expect(stripUrlCredentials('https://user:pass@rpc.example/v1?apikey=abcdef123456&chain=base')).toBe('https://rpc.example/v1?apikey=abcde…3456&chain=base')
    expect(stripUrlCredentials('not a url')).toBe('not a url')
  })
})
