import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther, type Address } from 'viem'
import { readEnv } from '../../src/config/env.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { migrate } from '../../src/fleet/db/migrate.js'
import { openDatabase, type Database } from '../../src/fleet/db/openDatabase.js'
import { openFleetJobs, type FleetJobs } from '../../src/fleet/jobs/openFleetJobs.js'
import { RUN_QUEUE } from '../../src/fleet/jobs/queues.js'
import { createStateStores, type StateStores } from '../../src/fleet/state/createStateStores.js'
import { provision } from '../../src/keys/provision.js'
import { openWallet } from '../../src/runtime/openWallet.js'
import type { Wallet } from '../../src/wallet/createWallet.js'
import { cliState } from './cliState.js'
import type { FleetProcess } from './fleetProcess.js'

const exec = promisify(execFile)

/** A model agent that reads its runway and always wants a top-up (its threshold is a billion hours). */
export type RunwayAgent = { name: string; description: string; tools?: string[] | undefined; maxSteps?: number | undefined }

/**
 * Writes runway agents into a fresh agents dir (`GONDOLA_AGENTS_DIR`): each reads its runway with the given tools
 * (default `get_runway`), and its runway is always "low", so the treasury's funding window decides every top-up.
 */
export async function writeRunwayAgents(agents: RunwayAgent[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gondola-fleet-agents-'))
  for (const a of agents) {
    const tools = a.tools ?? ['get_runway']
    await writeFile(
      join(dir, `${a.name}.json`),
      JSON.stringify({
        name: a.name,
        description: a.description,
        system: `You are the treasurer of an AI agent. Always read the runway with get_runway first${tools.length > 1 ? `, then ${tools.slice(1).join(', ')}` : ''}.`,
        prompt: `Call ${tools.join(' and ')}, then report our runway.`,
        model: 'function_calling_default',
        tools,
        maxSteps: a.maxSteps ?? tools.length + 1,
        budget: { diemPerRun: 0.05 },
        funding: { minRunwayHours: 1_000_000_000 },
      }),
    )
  }
  return dir
}

/** A provisioned fleet, as the treasury machine leaves it: what the fleet tests start workers on. */
export type FleetWorld = {
  /** The environment of `gondola worker` processes (the treasury's state dir: its wallet). */
  env: NodeJS.ProcessEnv
  address: Address
  db: Database
  stores: StateStores
  wallet: Wallet
  jobs: FleetJobs
}

/**
 * A fleet on `directUrl` (migrated): a new wallet (`gondola wallet new`) funded with `eth`, its keys provisioned
 * for `agents` into the fleet's stores (Postgres key store and journal), and a job engine that does not supervise.
 * `env` goes to the CLI processes (their `GONDOLA_DATABASE_URL` may be a proxy's: `workerUrl`).
 *
 * @example
 * ```ts
 * const fleet = await provisionFleet({ devnet: devnet(), veniceBaseUrl: emulator().baseURL, directUrl, agents: ['fleet-bot'], env: { … } })
 * const worker = startGondola(['worker'], fleet.env)
 * ```
 */
export async function provisionFleet(o: {
  devnet: Devnet
  veniceBaseUrl: string
  /** The database the test reads directly. */
  directUrl: string
  /** The one the workers use (default `directUrl`). */
  workerUrl?: string | undefined
  agents: string[]
  /** Added to (or overriding) the fleet's defaults: run timeout and retries from below, a 1-hour funding window. */
  env: Record<string, string>
  eth?: bigint | undefined
  runTimeoutSeconds: number
  runRetries: number
}): Promise<FleetWorld> {
  const { env } = await cliState(o.devnet, o.veniceBaseUrl, {
    GONDOLA_DATABASE_URL: o.workerUrl ?? o.directUrl,
    // The job engine's settings, as the workers read them; one top-up per hour per wallet unless the test says.
    GONDOLA_FLEET_RUN_TIMEOUT_SECONDS: String(o.runTimeoutSeconds),
    GONDOLA_FLEET_RUN_RETRIES: String(o.runRetries),
    GONDOLA_FUNDING_COOLDOWN_SECONDS: '3600',
    GONDOLA_FUNDING_TOPUP_ETH: '0.01',
    GONDOLA_LOG_LEVEL: 'info',
    ...o.env,
  })
  const out = (await exec(process.execPath, ['bin/gondola.js', 'wallet', 'new', '--json'], { env })).stdout
  const { address } = JSON.parse(out.trim().split('\n').at(-1)!) as { address: Address }
  await o.devnet.fund(address, { eth: o.eth ?? parseEther('1') })
  const db = await openDatabase({ url: o.directUrl })
  await migrate(db)
  const stores = await createStateStores(readEnv(env as Record<string, string>), { role: 'treasury', database: db })
  const wallet = await openWallet(readEnv(env as Record<string, string>), { journalStore: stores.journalStore })
  await provision({ wallet, baseURL: o.veniceBaseUrl, store: await stores.openKeyStore(), agents: o.agents, stakeSvvv: parseEther('5'), diemPerAgent: 5 })
  const jobs = await openFleetJobs(db, { runTimeoutSeconds: o.runTimeoutSeconds, runRetries: o.runRetries, supervise: false })
  return { env, address, db, stores, wallet, jobs }
}

/** A worker's id, from its ready line. */
export const workerIdOf = async (p: FleetProcess, timeoutMs = 120_000) => (await p.waitFor(/(?:worker|treasury) (\S+) for 0x/, timeoutMs))[1]!

/** The pg-boss state of each queued run (missing rows: not committed yet; a database down reads as none). */
export const runStates = (db: Database, ids: string[]) =>
  db
    .query<{ id: string; state: string }>('SELECT id::text, state::text FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])', [RUN_QUEUE, ids])
    .catch(() => [])

/** Whether every run in `ids` is completed in pg-boss. */
export const allRunsCompleted = async (db: Database, ids: string[]) => {
  const rows = await runStates(db, ids)
  return rows.length === ids.length && rows.every((r) => r.state === 'completed')
}

/** A JSON-RPC call to the devnet's node (anvil test methods: `evm_setAutomine`, `evm_setIntervalMining`). */
export const devnetRpc = (devnet: Devnet, method: string, params: unknown[] = []) =>
  fetch(devnet.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  }).then((r) => r.json())
