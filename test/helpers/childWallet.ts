import { spawn, type ChildProcess } from 'node:child_process'
import type { Hex } from 'viem'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'

/**
 * Starts a REAL separate Node process (tsx) that opens the wallet `key` on the devnet with `stateDir` (the data dir
 * comes from the inherited GONDOLA_DATA_DIR; with `extra.databaseUrl` the journal is the Postgres one), prints `ready`, waits for a line on stdin (a start barrier), runs
 * `body` (a module-level script fragment with `wallet`, `args` and the imports below in scope) and prints its JSON
 * result as the last line.
 *
 * @example
 * ```ts
 * const c = childWallet(devnet(), { key, stateDir }, `return await requestTopUp({ wallet, policy: { mintDiem: false, cooldownMs: 3_600_000 } }, { eth: 10n ** 16n, reason: 'x' })`)
 * await c.ready; c.go(); const out = await c.result
 * ```
 */
export function childWallet(devnet: Devnet, o: { key: Hex; stateDir: string; rpcUrl?: string; extra?: Record<string, unknown> }, body: string) {
  const script = `
    import { privateKeyToAccount } from 'viem/accounts'
    import { createPublicClient, http } from 'viem'
    import { createWallet } from './src/wallet/createWallet.ts'
    import { requestTopUp, finishInterruptedTopUp } from './src/host/walletTopUp.ts'
    import { topUp } from './src/wallet/actions/topUp.ts'
    import { swapEthForVvv } from './src/wallet/actions/swapEthForVvv.ts'
    import { openDatabase } from './src/fleet/db/openDatabase.ts'
    import { openPgJournal } from './src/fleet/state/pgJournal.ts'
    const args = JSON.parse(process.env.CHILD_ARGS)
    // Fleet mode: the journal (and its lock) in Postgres when the test passes a database URL.
    const db = args.databaseUrl ? await openDatabase({ url: args.databaseUrl }) : undefined
    const journalStore = db ? (p) => openPgJournal(db, p) : undefined
    const kill = () => process.kill(process.pid, 'SIGKILL')
    const wallet = await createWallet({ account: privateKeyToAccount(args.key), publicClient: createPublicClient({ transport: http(args.rpc) }),
      addresses: args.addresses, stateDir: args.stateDir, dataDir: args.dataDir, journalStore, pollingIntervalMs: 20, lockTimeoutMs: 60_000, hooks: eval('(' + (args.hooks ?? '{}') + ')') })
    process.stdout.write('ready\\n')
    await new Promise((r) => process.stdin.once('data', r))
    const out = await (async () => { ${body} })().catch((e) => ({ thrown: e.name, message: e.shortMessage ?? e.message, exitCode: e.exitCode }))
    process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\\n')
    process.exit(0)
  `
  const args = JSON.stringify({ key: o.key, rpc: o.rpcUrl ?? devnet.rpcUrl, addresses: devnet.addresses, stateDir: o.stateDir, ...o.extra })
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, CHILD_ARGS: args },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (stdout.includes('ready\n')) resolve()
    })
    child.on('exit', () => reject(new Error(`child exited before ready: ${stderr.slice(-500)}`)))
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const result = exited.then(({ code, signal }) => {
    const last = stdout.trim().split('\n').at(-1) ?? ''
    return { code, signal, out: last && last !== 'ready' ? (JSON.parse(last) as Record<string, unknown>) : undefined, stderr }
  })
  return { child, ready, go: () => child.stdin!.write('go\n'), result }
}
