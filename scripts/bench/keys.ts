/**
 * Issue 5: a fresh funded wallet → staked, holding an ADMIN key and one limited INFERENCE key.
 * Wall time on the devnet, transactions sent, HTTP requests to the Venice API (counted at the fetch
 * boundary) against the protocol minimum (token + POST per key, no read-back), and the idempotent re-run.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { startLocalWorld } from '../../devnet/src/devnet/startLocalWorld.js'
import { KeyStore } from '../../src/keys/KeyStore.js'
import { provision } from '../../src/keys/provision.js'
import { createWallet } from '../../src/wallet/createWallet.js'
import type { BenchRow } from './types.js'

export async function bench(): Promise<BenchRow[]> {
  const world = await startLocalWorld({ emulator: { chainCacheMs: 0 } })
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-bench-keys-'))
  try {
    const account = privateKeyToAccount(generatePrivateKey())
    await world.devnet.fund(account.address, { eth: parseEther('1') })
    let requests = 0
    const countingFetch: typeof fetch = (input, init) => {
      requests++
      return fetch(input, init)
    }
    const wallet = await createWallet({
      account,
      publicClient: world.devnet.publicClient,
      addresses: world.devnet.addresses,
      stateDir,
      dataDir: join(stateDir, 'data'),
    })
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
    const params = { wallet, baseURL: world.veniceBaseUrl, store, agents: ['agent'], stakeSvvv: parseEther('20'), diemPerAgent: 1, fetch: countingFetch }

    let started = performance.now()
    const first = await provision(params)
    const firstMs = performance.now() - started
    const firstRequests = requests

    requests = 0
    started = performance.now()
    const second = await provision(params)
    const secondMs = performance.now() - started

    return [
      { issue: 5, metric: 'fresh wallet → stake + ADMIN + INFERENCE key: wall time', value: Math.round(firstMs), unit: 'ms', goal: '< 2000 ms' },
      { issue: 5, metric: 'fresh wallet → …: transactions sent', value: first.stake.hashes.length, unit: 'tx', goal: '≤ 3 (swap, approve, stake)' },
      {
        issue: 5,
        metric: 'fresh wallet → …: HTTP requests to the Venice API (vs token+POST per key)',
        value: firstRequests,
        unit: 'req',
        baseline: 4,
        goal: 'extra = 2 read-backs + 1 key list',
      },
      { issue: 5, metric: 'second provision (no-op): wall time', value: Math.round(secondMs), unit: 'ms', baseline: Math.round(firstMs) },
      {
        issue: 5,
        metric: 'second provision (no-op): transactions + mints',
        value: second.stake.hashes.length + second.agents.filter((a) => a.status === 'minted').length + (second.admin.status === 'minted' ? 1 : 0),
        unit: '',
        goal: '0',
      },
      { issue: 5, metric: 'second provision (no-op): HTTP requests to the Venice API', value: requests, unit: 'req' },
    ]
  } finally {
    await world.stop()
    await rm(stateDir, { recursive: true, force: true })
  }
}
