import { describe, expect, it } from 'vitest'
import { looksLikeKey, redact, redactDeep, redactText, redactUrl, registerUrlSecrets } from '../src/util/redact.js'

const ALCHEMY = 'AbCdEf0123456789AbCdEf0123456789'
const INFURA = '9aa3d95b3bc440fa88ea12eaa4456161'

describe('redact', () => {
  it('keeps only a short prefix and suffix of a secret', () => {
    expect(redact('vk_4f1c9a2b7d0e8f3a6b5c')).toBe('vk_4f…6b5c')
    expect(redact('short')).toBe('sh…')
  })

  it('removes credentials from the common provider URL shapes', () => {
    const cases: [string, string][] = [
      [`https://base-mainnet.g.alchemy.com/v2/${ALCHEMY}`, 'https://base-mainnet.g.alchemy.com/v2/***'],
      [`wss://base-mainnet.g.alchemy.com/v2/${ALCHEMY}`, 'wss://base-mainnet.g.alchemy.com/v2/***'],
      [`https://base-mainnet.infura.io/v3/${INFURA}`, 'https://base-mainnet.infura.io/v3/***'],
      ['https://old-fluent-pine.base-mainnet.quiknode.pro/3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c6b5a4d3e/', 'https://old-fluent-pine.base-mainnet.quiknode.pro/***/'],
      [`https://rpc.ankr.com/base/${'ab12'.repeat(16)}`, 'https://rpc.ankr.com/base/***'],
      [`https://base-mainnet.core.chainstack.com/${INFURA}`, 'https://base-mainnet.core.chainstack.com/***'],
      [`https://go.getblock.io/${INFURA}/`, 'https://go.getblock.io/***/'],
      ['https://base-mainnet.blastapi.io/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', 'https://base-mainnet.blastapi.io/***'],
      ['https://lb.drpc.org/ogrpc?network=base&dkey=Ak80gSCleU9nhdYPsM3xS6', 'https://lb.drpc.org/ogrpc?network=***&dkey=***'],
      ['https://user:pa55word@rpc.example.com:8545/', 'https://***@rpc.example.com:8545/'],
      [`http://127.0.0.1:8545/v2/${ALCHEMY}?apikey=${INFURA}#frag`, 'http://127.0.0.1:8545/v2/***?apikey=***#***'],
    ]
    for (const [url, want] of cases) expect(redactUrl(url), url).toBe(want)
  })

  it('leaves ordinary URLs and paths alone', () => {
    for (const url of [
      'https://mainnet.base.org',
      'https://api.venice.ai/api/v1/api_keys/generate_web3_key',
      'http://127.0.0.1:8545/',
      'https://base.llamarpc.com/v2/demo',
    ])
      expect(redactUrl(url)).toBe(url)
    expect(redactUrl(`https://basescan.org/tx/0x${'ab'.repeat(32)}`)).toBe(`https://basescan.org/tx/0x${'ab'.repeat(32)}`)
    expect(looksLikeKey('base-mainnet')).toBe(false)
    expect(redactUrl('not a url')).toBe('not a url')
  })

  it('redacts URLs, bearer tokens and API keys inside text and JSON, and registered secrets anywhere', () => {
    const viemError = `HTTP request failed.\n\nStatus: 401\nURL: https://base-mainnet.infura.io/v3/${INFURA}\nRequest body: {"method":"eth_call"}`
    expect(redactText(viemError)).toBe('HTTP request failed.\n\nStatus: 401\nURL: https://base-mainnet.infura.io/v3/***\nRequest body: {"method":"eth_call"}')
    expect(redactText('Authorization: Bearer abcdefghijkl, key vk_0123456789abcdef')).toBe('Authorization: Bearer [redacted], key vk_[redacted]')
    const unique = 'Zq8xPnM2wL5vR7tK1yH4'
    registerUrlSecrets(`https://rpc.example.org/rpc?token=${unique}`)
    expect(redactText(`provider says: token ${unique} is rate limited`)).toBe('provider says: token *** is rate limited')
    expect(redactDeep({ a: [`see https://x.io/v2/${ALCHEMY}`], n: 1, b: true })).toEqual({ a: ['see https://x.io/v2/***'], n: 1, b: true })
  })
})
