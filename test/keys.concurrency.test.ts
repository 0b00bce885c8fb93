import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { mintWeb3Key } from '../src/keys/mintWeb3Key.js'
import { provision } from '../src/keys/provision.js'
import { taggedDescription } from '../src/keys/keyRequest.js'
import { originOf, storedAdminKey } from '../src/keys/provisionApiKey.js'
import { toSigner } from '../src/wallet/accounts/toSigner.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { cliState, CLI_TEST_PASSWORD } from './helpers/cliState.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children.clear()
})

type Exit = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Starts `gondola …` as its own process; `done` resolves when it exits (killed or not). */
function gondola(env: NodeJS.ProcessEnv, args: string[]): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, ['bin/gondola.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const done = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, done }
}

async function ok(env: NodeJS.ProcessEnv, args: string[]): Promise<any> {
  const r = await gondola(env, args).done
  expect(r, r.stderr).toMatchObject({ code: 0 })
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!)
}

/** What Venice (the emulator) holds for the wallet, against what the store keeps: a key in neither the store nor revoked is lost. */
async function audit(stateDir: string) {
  const store = await KeyStore.open({ path: join(stateDir, 'keys.json'), password: CLI_TEST_PASSWORD })
  const admin = store.keys('ADMIN').at(-1)!
  const server = await createVeniceClient({ baseURL: emulator().baseURL, apiKey: store.reveal(admin.id) }).listApiKeys()
  const kept = new Set(store.keys().map((k) => k.id))
  return { store, server, lost: server.filter((k) => !kept.has(k.id)).map((k) => k.id), pending: store.pendingAttempts() }
}

/**
 * A fresh funded wallet and a CLI environment for it. The raw key (GONDOLA_PRIVATE_KEY) spares each process a
 * keystore scrypt; the key store is still sealed with the password.
 */
async function freshWallet() {
  const { stateDir, env } = await cliState(devnet(), emulator().baseURL)
  const wallet = await testWallet(devnet(), { eth: parseEther('1'), stateDir })
  return { wallet, stateDir, env: { ...env, GONDOLA_PRIVATE_KEY: wallet.privateKey } }
}

/** Polls until `check` is true (the file system is the only channel between these processes). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const PROVISION = ['provision', '--agents', 'treasurer,social-bot', '--stake-vvv', '5', '--diem-per-agent', '0.25', '--json']
// Under load a CLI process takes seconds to start; these tests check outcomes, never durations.
const SLOW = 600_000

describe('the key store across real processes', () => {
  it(
    '4 concurrent `gondola provision` on one fresh state dir: 0 lost keys, one ADMIN + one key per agent',
    async () => {
      const { stateDir, env } = await freshWallet()
      const runs = await Promise.all(Array.from({ length: 4 }, () => gondola(env, PROVISION).done))
      for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0 })
      const outcomes = runs.map((r) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { admin: { status: string }; agents: { status: string }[] })
      // The mint lock serializes the key phase: exactly one run minted, the others found its keys.
      expect(outcomes.map((o) => [o.admin.status, ...o.agents.map((a) => a.status)].join(',')).sort()).toEqual([
        'kept,kept,kept',
        'kept,kept,kept',
        'kept,kept,kept',
        'minted,minted,minted',
      ])
      const { server, lost, pending, store } = await audit(stateDir)
      expect(lost).toEqual([])
      expect(pending).toEqual([])
      expect(server.map((k) => k.apiKeyType).sort()).toEqual(['ADMIN', 'INFERENCE', 'INFERENCE'])
      expect(store.keys()).toHaveLength(3)
    },
    SLOW,
  )

  it(
    '4 concurrent `gondola keys mint`, 2 SIGKILLed inside the mint: nothing lost, and the next provision revokes any orphan',
    async () => {
      const { wallet, stateDir, env } = await freshWallet()
      const path = join(stateDir, 'keys.json')
      const store = await KeyStore.open({ path, password: CLI_TEST_PASSWORD })
      const p = { wallet, baseURL: emulator().baseURL, store, agents: ['treasurer', 'social-bot'], stakeSvvv: parseEther('5'), diemPerAgent: 0.25 }
      await provision(p)

      const mints = Array.from({ length: 4 }, (_, i) => gondola(env, ['keys', 'mint', '--diem', '0.1', '--agent', `m${i}`, '--json']))
      const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'))
      // m1 dies the moment it holds the mint lock; m3 the moment its attempt is recorded (the POST leaves next:
      // it dies before, during or after Venice creates the key, but before the key is stored).
      const killed = [
        until(async () => (await readJson(`${path}.mint.lock`)).pid === mints[1]!.child.pid, 'm1 to hold the mint lock').then(() =>
          mints[1]!.child.kill('SIGKILL'),
        ),
        until(async () => (await readJson(path)).pending.some((a: { agent?: string }) => a.agent === 'm3'), 'm3 to record its attempt').then(() =>
          mints[3]!.child.kill('SIGKILL'),
        ),
      ]
      const exits = await Promise.all(mints.map((m) => m.done))
      await Promise.all(killed)
      expect(exits.map((e) => e.signal ?? e.code)).toEqual([0, 'SIGKILL', 0, 'SIGKILL'])

      const after = await provision({ ...p, store: await KeyStore.open({ path, password: CLI_TEST_PASSWORD }) })
      expect([after.admin.status, ...after.agents.map((a) => a.status)]).toEqual(['kept', 'kept', 'kept'])
      const { lost, pending, store: final } = await audit(stateDir)
      expect(lost).toEqual([])
      expect(pending).toEqual([])
      const minted = final
        .keys('INFERENCE')
        .map((k) => k.agent)
        .filter((a) => a?.startsWith('m'))
        .sort()
      expect(minted).toEqual(['m0', 'm2'])
      // m3's attempt was settled (cleared, its key revoked if Venice had created one) by whichever run took the mint
      // lock next — a concurrent mint or this provision: nothing pending, nothing lost, as asserted above.
    },
    SLOW,
  )

  it('a mint interrupted between the POST and the store is revoked by the next provision, even one that mints nothing', async () => {
    const wallet = await testWallet(devnet(), { eth: parseEther('1') })
    const store = await KeyStore.open({ path: join(wallet.stateDir, 'keys.json') })
    const p = { wallet, baseURL: emulator().baseURL, store, agents: ['treasurer'], stakeSvvv: parseEther('2'), diemPerAgent: 0.5 }
    await provision(p)

    // The crash window: the attempt was recorded, Venice created the key, the process died before storing it.
    const attemptId = 'a1b2c3d4e5f6'
    const scope = { wallet: wallet.address, apiOrigin: originOf(emulator().baseURL) }
    await store.beginAttempt({ attemptId, description: taggedDescription('agent treasurer', attemptId), apiKeyType: 'INFERENCE', ...scope, agent: 'treasurer' })
    const orphan = await mintWeb3Key(createVeniceClient({ baseURL: emulator().baseURL }), {
      signer: await toSigner(privateKeyToAccount(wallet.privateKey)),
      apiKeyType: 'INFERENCE',
      description: taggedDescription('agent treasurer', attemptId),
      consumptionLimit: { diem: 0.5 },
    })

    const again = await provision(p)
    expect([again.admin.status, again.agents[0]!.status]).toEqual(['kept', 'kept'])
    expect(again.reconciled).toEqual({ revoked: [orphan.id], cleared: [attemptId] })
    const admin = createVeniceClient({ baseURL: emulator().baseURL, apiKey: storedAdminKey(store, scope)! })
    expect((await admin.listApiKeys()).map((k) => k.id)).not.toContain(orphan.id)
    expect(store.pendingAttempts()).toEqual([])
  })
})
