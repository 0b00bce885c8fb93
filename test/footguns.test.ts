import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { readEnv } from '../src/config/env.js'
import { exitCodeOf } from '../src/errors/exitCodeOf.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { quoteVenues } from '../src/wallet/routes/quoteVenues.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('errors that name the real cause', () => {
  it('a swap larger than the pools can fill says the amount is the problem (exit 2), not that no pool exists', async () => {
    const wallet = await testWallet(devnet(), { eth: parseEther('1') })
    const err = await quoteVenues(wallet, { amountOut: parseEther('100000000') }).catch((e: unknown) => e)
    expect(err).toMatchObject({
      name: 'NoRouteError',
      code: 'SWAP_TOO_LARGE',
      shortMessage: expect.stringMatching(/^No venue can fill a swap of 100000000 VVV out: it is more than the WETH\/VVV pools can trade/),
    })
    expect(exitCodeOf(err)).toBe(2)
    // A normal amount still quotes.
    expect((await quoteVenues(wallet, { amountOut: parseEther('10') })).best.amountOut).toBe(parseEther('10'))
  })

  it('a refused key (401) tells the operator to re-provision (the devnet or emulator forgets keys on restart)', async () => {
    const venice = createVeniceClient({ baseURL: emulator().baseURL, apiKey: 'vk_not-a-key-this-emulator-knows', maxRetries: 0 })
    const err = await venice.getBillingBalance().catch((e: unknown) => e)
    expect(err).toMatchObject({
      name: 'AuthenticationError',
      metaMessages: [expect.stringContaining('Run `gondola provision` to mint new keys.'), 'Status: 401', expect.any(String)],
    })
  })

  it('VENICE_API_BASE_URL without /api/v1 is a configuration error naming the variable', () => {
    expect(() => readEnv({ VENICE_API_BASE_URL: 'http://127.0.0.1:8546' })).toThrow(/VENICE_API_BASE_URL.*must end with \/api\/v1/s)
    expect(() => readEnv({ VENICE_API_BASE_URL: 'http://127.0.0.1:8546/v1' })).toThrow(/VENICE_API_BASE_URL/)
    expect(readEnv({ VENICE_API_BASE_URL: 'http://127.0.0.1:8546/api/v1/' }).VENICE_API_BASE_URL).toBe('http://127.0.0.1:8546/api/v1/')
    expect(readEnv({ VENICE_API_BASE_URL: 'https://api.venice.ai/api/v1' }).VENICE_API_BASE_URL).toBe('https://api.venice.ai/api/v1')
  })
})
