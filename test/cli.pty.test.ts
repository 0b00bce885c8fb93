import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

/** A shell line run in a real pseudo-terminal (util-linux `script`), its terminal output collected. */
function inPty(line: string, env: NodeJS.ProcessEnv) {
  // A person at a terminal: CI (set on CI machines) would make every command non-interactive (no spinner, no prompt).
  const child = spawn('script', ['-qec', line, '/dev/null'], { env: { ...env, CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return { child, out: () => out, done }
}

const until = async (ok: () => boolean, done: Promise<unknown>) => {
  let over = false
  void done.then(() => (over = true))
  while (!ok()) {
    if (over) throw new Error('the pty session ended first')
    await new Promise((r) => setTimeout(r, 50))
  }
}

// Spinner frames nanospinner draws.
const FRAMES = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/

describe('the spinner in a real terminal', () => {
  it('a 0-column pty gets progress lines instead of a spinner (no hang), and the first SIGTERM still stops cleanly', async () => {
    const env = { ...process.env, GONDOLA_STATE_DIR: await mkdtemp(join(tmpdir(), 'gondola-pty-')) }
    const pty = inPty(`stty cols 0 rows 0; echo PID=$$; exec ${process.execPath} bin/gondola.js devnet --json`, env)
    await until(() => /"rpcUrl"/.test(pty.out()), pty.done)
    const pid = Number(/PID=(\d+)/.exec(pty.out())![1])
    process.kill(pid, 'SIGTERM')
    await pty.done
    expect(pty.out()).toContain('gondola devnet: stopped (SIGTERM)')
  }, 300_000)

  it('the password prompt is not drawn over by the spinner', async () => {
    const { env } = await cliState(devnet(), emulator().baseURL)
    const { address } = JSON.parse((await exec(process.execPath, ['bin/gondola.js', 'wallet', 'new', '--json'], { env })).stdout)
    await devnet().fund(address, { eth: 10n ** 18n })
    // A money command opens (and so decrypts) the wallet inside its spinner.
    const pty = inPty(`stty cols 100 rows 30; exec ${process.execPath} bin/gondola.js swap --eth 0.001 --dry-run`, { ...env, GONDOLA_KEYSTORE_PASSWORD: '' })
    await until(() => pty.out().includes('Keystore password'), pty.done).catch((e) => {
      throw new Error(`${e.message}: ${pty.out()}`)
    })
    // While the prompt waits, nothing else is drawn on the terminal.
    const atPrompt = pty.out().length
    await new Promise((r) => setTimeout(r, 1_000))
    expect(FRAMES.test(pty.out().slice(atPrompt))).toBe(false)
    pty.child.stdin!.write(`${CLI_TEST_PASSWORD}\r`)
    expect(await pty.done).toBe(0)
    expect(pty.out()).toContain('[dry run]')
  }, 300_000)

  // Issue #26: the key store was left unsealed (the ADMIN secret in plain text) when the password was typed, not exported.
  it('a password typed at the prompt seals the key store as an exported one does', async () => {
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL)
    const { address } = JSON.parse((await exec(process.execPath, ['bin/gondola.js', 'wallet', 'new', '--json'], { env })).stdout)
    await devnet().fund(address, { eth: 10n ** 18n })
    const pty = inPty(`stty cols 100 rows 30; exec ${process.execPath} bin/gondola.js provision --agents bot01 --stake-vvv 5 --json`, {
      ...env,
      GONDOLA_KEYSTORE_PASSWORD: '',
    })
    await until(() => pty.out().includes('Keystore password'), pty.done).catch((e) => {
      throw new Error(`${e.message}: ${pty.out()}`)
    })
    pty.child.stdin!.write(`${CLI_TEST_PASSWORD}\r`)
    expect(await pty.done, pty.out()).toBe(0)
    const path = join(stateDir, 'keys.json')
    const store = await KeyStore.open({ path, password: CLI_TEST_PASSWORD })
    const kept = store.keys()
    expect(kept.map((k) => k.apiKeyType).sort()).toEqual(['ADMIN', 'INFERENCE'])
    // No secret is on disk in the clear, and the store does not open without the password.
    const raw = await readFile(path, 'utf8')
    for (const k of kept) expect(raw).not.toContain(store.reveal(k.id))
    await expect(KeyStore.open({ path })).rejects.toThrow(/password is needed/)
    expect(pty.out()).not.toContain(CLI_TEST_PASSWORD)
  }, 300_000)
})
