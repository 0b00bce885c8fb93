import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { answersRpc } from './helpers/answersRpc.js'

/** The demo as a person starts it (`npm start`, or the binary), its output collected. */
function startDemo(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })))
  const until = async (text: string) => {
    let over = false
    void done.then(() => (over = true))
    while (!out.includes(text)) {
      if (over) throw new Error(`the demo ended before "${text}":\n${out}\n${err}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return { child, done, until, out: () => out, err: () => err }
}

const worldOf = (out: string) => ({
  rpcUrl: /chain\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
  veniceUrl: /Venice\s+(http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(out)?.[1],
})

// Issue #26, stop when told: the demo had no signal test of its own.
describe('npm start (gondola demo): the first signal finishes the step in flight and stops cleanly', () => {
  it('SIGINT during provisioning: the step finishes (its keys are printed), no later step starts, exit 130 with a line, nothing left running', async () => {
    const demo = startDemo(process.execPath, ['bin/gondola.js', 'demo'])
    await demo.until('[3/5] Provisioning')
    const { rpcUrl, veniceUrl } = worldOf(demo.out())
    expect(rpcUrl && veniceUrl, demo.out()).toBeTruthy()
    demo.child.kill('SIGINT')
    const exit = await demo.done
    expect(exit, `${demo.out()}\n${demo.err()}`).toEqual({ code: 130, signal: null })
    // The step in flight was finished and reported; the next one never started.
    expect(demo.out()).toMatch(/key {5}INFERENCE .* for agent treasurer/)
    expect(demo.out()).not.toContain('[4/5]')
    expect(demo.err()).toContain('gondola demo: SIGINT received — finishing')
    expect(demo.err()).toMatch(/gondola demo: stopped by SIGINT after step 3 of 5 \(Provisioning.*\); \d+ transactions sent; the local world is stopped\./)
    expect(await answersRpc(rpcUrl!)).toBe(false)
    expect(await answersRpc(`${veniceUrl}/models`)).toBe(false)
  }, 300_000)

  it('SIGTERM to `npm start` while the world starts: it finishes starting, stops it again, exit 130, nothing left running', async () => {
    const demo = startDemo('npm', ['start', '--silent'])
    await demo.until('[1/5] Starting the local world')
    demo.child.kill('SIGTERM')
    const exit = await demo.done
    expect(exit.signal, `${demo.out()}\n${demo.err()}`).toBe(null)
    expect(exit.code, `${demo.out()}\n${demo.err()}`).toBe(130)
    expect(demo.out()).not.toContain('[2/5]')
    expect(demo.err()).toMatch(
      /gondola demo: stopped by SIGTERM after step 1 of 5 \(Starting the local world.*\); 0 transactions sent; the local world is stopped\./,
    )
    const { rpcUrl, veniceUrl } = worldOf(demo.out())
    expect(rpcUrl && veniceUrl, demo.out()).toBeTruthy()
    expect(await answersRpc(rpcUrl!)).toBe(false)
    expect(await answersRpc(`${veniceUrl}/models`)).toBe(false)
  }, 300_000)

  it('`npm start -- --rail x402`: SIGINT while the wallet is made finishes that step, starts no run, exit 130 with a line, nothing left running', async () => {
    const demo = startDemo(process.execPath, ['bin/gondola.js', 'demo', '--rail', 'x402'])
    await demo.until('[2/4] Creating an encrypted wallet')
    demo.child.kill('SIGINT')
    const exit = await demo.done
    expect(exit, `${demo.out()}\n${demo.err()}`).toEqual({ code: 130, signal: null })
    expect(demo.out()).toMatch(/address 0x[0-9a-fA-F]{40} · \+/)
    expect(demo.out()).not.toContain('[3/4]')
    expect(demo.err()).toMatch(
      /gondola demo: stopped by SIGINT after step 2 of 4 \(Creating an encrypted wallet.*\); 0 transactions sent; the local world is stopped\./,
    )
    const { rpcUrl, veniceUrl } = worldOf(demo.out())
    expect(rpcUrl && veniceUrl, demo.out()).toBeTruthy()
    expect(await answersRpc(rpcUrl!)).toBe(false)
    expect(await answersRpc(`${veniceUrl}/models`)).toBe(false)
  }, 300_000)

  // The README's terminal 1. It ran tsx under sh, which dies on the SIGTERM and leaves the devnet running, orphaned.
  it('SIGTERM to `npm run devnet`: it stops, says so, removes devnet.json, and nothing is left running', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-npm-devnet-'))
    const devnet = startDemo('npm', ['run', 'devnet', '--silent', '--', '--json'], { GONDOLA_STATE_DIR: stateDir })
    await devnet.until('"rpcUrl"')
    const info = JSON.parse(devnet.out().trim().split('\n').at(-1)!) as { rpcUrl: string; veniceBaseUrl: string }
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(true)
    devnet.child.kill('SIGTERM')
    const exit = await devnet.done
    expect(exit, `${devnet.out()}\n${devnet.err()}`).toEqual({ code: 0, signal: null })
    expect(devnet.err()).toContain('gondola devnet: stopped (SIGTERM)')
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
    expect(await answersRpc(info.rpcUrl)).toBe(false)
    expect(await answersRpc(`${info.veniceBaseUrl}/models`)).toBe(false)
  }, 300_000)
})
