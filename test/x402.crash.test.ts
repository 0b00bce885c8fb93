import { readFile } from 'node:fs/promises'
import { erc20Abi, parseEther, parseUnits, type Address, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalWorld, type LocalWorld } from '../devnet/src/devnet/startLocalWorld.js'
import { x402TopUpApi } from '../src/runtime/openX402.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { createWallet } from '../src/wallet/createWallet.js'
import { topUpX402 } from '../src/wallet/x402/topUpX402.js'
import { x402JournalPathOf } from '../src/wallet/x402/x402Journal.js'
import { childWallet } from './helpers/childWallet.js'

// The x402 top-up in REAL separate processes, each SIGKILLed at one step; the next process (another state dir: the
// journal is the address's) resumes. Counted on chain and at the emulator: 0 double payments, 0 lost credits.
let world: LocalWorld
beforeAll(async () => {
  world = await startLocalWorld()
}, 120_000)
afterAll(() => world?.stop())

const FIVE = parseUnits('5', 6)
const HOOKS = ['afterIntent', 'afterSign', 'afterSubmit'] as const
const usdcOf = (a: Address) =>
  world.devnet.publicClient.readContract({ address: world.devnet.addresses.usdc!, abi: erc20Abi, functionName: 'balanceOf', args: [a] })

const policyLiteral = () =>
  `{ maxUsdcPerTopUp: ${parseUnits('20', 6)}n, maxUsdcPerDay: ${parseUnits('50', 6)}n, assets: ['${world.devnet.addresses.usdc}'], payees: ['${world.emulator.x402.payTo}'] }`

/** A child process that tops up $5 and SIGKILLs itself at `hook`. */
async function killedTopUp(hook: (typeof HOOKS)[number]) {
  const key = generatePrivateKey()
  const address = privateKeyToAccount(key).address
  await world.devnet.fund(address, { eth: parseEther('1'), usdc: parseUnits('12', 6) })
  const c = childWallet(
    world.devnet,
    { key, stateDir: `/tmp/gondola-x402-crash-${hook}-${address.slice(2, 10)}`, extra: { baseURL: world.veniceBaseUrl } },
    `const { topUpX402 } = await import('./src/wallet/x402/topUpX402.ts')
     const { x402TopUpApi } = await import('./src/runtime/openX402.ts')
     const { createVeniceClient } = await import('./src/venice/createVeniceClient.ts')
     const venice = createVeniceClient({ baseURL: args.baseURL, maxRetries: 0 })
     return await topUpX402(wallet, { api: x402TopUpApi(venice), policy: ${policyLiteral()}, amount: ${FIVE}n, hooks: { ${hook}: () => kill() } })`,
  )
  await c.ready
  c.go()
  return { key, address, c }
}

describe('an x402 top-up SIGKILLed at each step is finished by the next process: never paid twice, never lost', () => {
  it('killed after the intent, after the signed authorization was journaled, and after it settled: one $5 payment and $5 of credits each', async () => {
    const runs = await Promise.all(HOOKS.map((h) => killedTopUp(h)))
    for (const [i, { key, address, c }] of runs.entries()) {
      const hook = HOOKS[i]!
      const { signal, stderr } = await c.result
      expect(signal, `${hook}: ${stderr.slice(-300)}`).toBe('SIGKILL')
      const path = x402JournalPathOf(
        (await createWallet({ account: privateKeyToAccount(key), publicClient: world.devnet.publicClient, addresses: world.devnet.addresses })).journal.path,
      )
      const before = JSON.parse(await readFile(path, 'utf8')) as { payments: { status: string; nonce?: Hex }[] }
      expect(
        before.payments.map((p) => p.status),
        hook,
      ).toEqual([hook === 'afterIntent' ? 'intent' : 'signed'])
      // What the kill left on chain: after the submit the money moved; before it, nothing did.
      expect(await usdcOf(address), hook).toBe(hook === 'afterSubmit' ? parseUnits('7', 6) : parseUnits('12', 6))

      // The next process (in-process here) asks for the same top-up.
      const wallet = await createWallet({ account: privateKeyToAccount(key), publicClient: world.devnet.publicClient, addresses: world.devnet.addresses })
      const venice = createVeniceClient({ baseURL: world.veniceBaseUrl, siwx: { signer: wallet.signer, chainId: wallet.chainId }, maxRetries: 0 })
      const policy = {
        maxUsdcPerTopUp: parseUnits('20', 6),
        maxUsdcPerDay: parseUnits('50', 6),
        assets: [world.devnet.addresses.usdc!],
        payees: [world.emulator.x402.payTo],
      }
      const r = await topUpX402(wallet, { api: x402TopUpApi(venice), policy, amount: FIVE })
      expect(r.status, hook).toBe('settled')
      expect(Boolean(r.finishedEarlier), hook).toBe(hook !== 'afterIntent')
      // Exactly one payment of $5 left the wallet, and exactly $5 of credits arrived.
      expect(await usdcOf(address), hook).toBe(parseUnits('7', 6))
      expect((await venice.getX402Balance(address)).balanceUsd, hook).toBe(5)
      const ledger = await venice.getX402Transactions(address)
      expect(
        ledger.transactions.map((t) => [t.type, t.amount]),
        hook,
      ).toEqual([['TOP_UP', 5]])
      const after = JSON.parse(await readFile(path, 'utf8')) as { payments: { status: string }[] }
      expect(
        after.payments.map((p) => p.status),
        hook,
      ).toEqual(hook === 'afterIntent' ? ['failed', 'settled'] : ['settled'])
    }
  }, 600_000)
})
