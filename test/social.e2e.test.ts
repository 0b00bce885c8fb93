import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { readFile, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AtpAgent } from '@atproto/api'
import { SimplePool, useWebSocketImplementation } from 'nostr-tools/pool'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLedger } from '../src/agent/ledger.js'
import { startBlueskyPds, type BlueskyPds } from './helpers/blueskyPds.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'
import { startNostrRelay } from './helpers/nostrRelay.js'
import WebSocket from 'ws'

// The test's own reader: Node 20 has no global WebSocket (the product gives nostr-tools `ws` only where it uses it).
useWebSocketImplementation(WebSocket)
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const FIXTURE = new URL('./fixtures/marco.character.json', import.meta.url).pathname
const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')

let pds: BlueskyPds
let relay: Awaited<ReturnType<typeof startNostrRelay>>
/** A real HTTP hop in front of the PDS: when armed, it lets one createRecord reach the PDS, then SIGKILLs the bot before the answer gets back. */
let proxy: Server
let killOnCreate: ChildProcess | undefined
beforeAll(async () => {
  ;[pds, relay] = await Promise.all([startBlueskyPds(), startNostrRelay()])
  proxy = createServer((req, res) => {
    const target = new URL(pds.url)
    const up = httpRequest({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      const victim = req.url?.includes('com.atproto.repo.createRecord') ? killOnCreate : undefined
      if (victim) {
        killOnCreate = undefined
        r.resume()
        r.on('end', () => {
          victim.kill('SIGKILL')
          res.destroy()
        })
        return
      }
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    req.pipe(up)
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
})
afterAll(async () => {
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()))
  await Promise.all([pds?.stop(), relay?.stop()])
})

/** The README section's commands, as argument lists (`npx gondola` lines) and `export` assignments. */
function readmeSection(): { commands: string[][]; exports: Record<string, string> } {
  const block = /<!-- social-bot-5-minutes -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('README has no "Social bot in 5 minutes" block')
  const commands: string[][] = []
  const exports: Record<string, string> = {}
  for (const raw of block.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim()
    if (line.startsWith('npx gondola ')) commands.push(line.slice('npx gondola '.length).split(/\s+/))
    else if (line.startsWith('export ')) for (const kv of line.slice(7).split(/\s+/)) exports[kv.split('=')[0]!] = kv.slice(kv.indexOf('=') + 1)
    else if (line && line !== 'npm run devnet') throw new Error(`README line the test cannot follow: ${line}`)
  }
  return { commands, exports }
}

describe('social bot end to end (README "Social bot in 5 minutes": devnet, emulator, reference PDS, Nostr relay)', () => {
  it('imports a classic Eliza character, provisions a limited key, posts on a schedule to Bluesky and Nostr, answers a mention once, survives SIGKILL mid-post without double-posting, and stops at its daily budget', {
    timeout: 600_000,
  }, async () => {
    const { commands, exports } = readmeSection()
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'wallet new',
      'faucet --eth',
      'provision --agents',
      'character import',
      'run social-bot',
      'run social-bot',
    ])
    const account = await pds.createAccount('marco')
    const nostrKey = Buffer.from(generateSecretKey()).toString('hex')
    const botPubkey = getPublicKey(Uint8Array.from(Buffer.from(nostrKey, 'hex')))
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL)
    const files = { './bsky.secret': join(stateDir, 'bsky.secret'), './nostr.secret': join(stateDir, 'nostr.secret') }
    await writeFile(files['./bsky.secret'], account.appPassword, { mode: 0o600 })
    await writeFile(files['./nostr.secret'], nostrKey, { mode: 0o600 })
    // The README's values, pointed at the local servers.
    const local: Record<string, string> = { 'marco.bsky.social': account.handle, 'wss://relay.example': relay.url, ...files }
    for (const [k, v] of Object.entries(exports)) env[k] = local[v] ?? v
    env.GONDOLA_BLUESKY_SERVICE = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    const terminal: string[] = []
    const argsOf = (c: string[]) => [...c.map((a) => (a === './marco.character.json' ? FIXTURE : a)), '--json']
    const json = async (c: string[]) => {
      const { stdout, stderr } = await exec(process.execPath, ['bin/gondola.js', ...argsOf(c)], { env })
      terminal.push(stdout, stderr)
      return stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as any)
    }
    const [walletNew, faucet, provision, characterImport, dryRun, scheduled] = commands as [string[], string[], string[], string[], string[], string[]]

    // Wallet, devnet ETH, and a limited key for social-bot (staking, DIEM, the web3 key flow on the devnet).
    const { address } = (await json(walletNew)).at(-1)
    await json(faucet)
    const provisioned = (await json(provision)).at(-1)
    expect(provisioned.agents).toMatchObject([{ agent: 'social-bot', key: { consumptionLimit: { diem: 0.5 } } }])
    const imported = (await json(characterImport)).at(-1)
    expect(imported).toMatchObject({ name: 'Marco' })
    expect(JSON.stringify(imported)).not.toContain('sk-marco-should-never-appear')

    // Dry run: composed and shown, nothing published or saved.
    const dry = (await json(dryRun)).at(-1)
    expect(dry).toMatchObject({ agent: 'social-bot', kind: 'social', status: 'dry-run', text: expect.any(String), image: expect.any(String) })
    const reader = new AtpAgent({ service: pds.url })
    const bskyPosts = async () =>
      (await reader.com.atproto.repo.listRecords({ repo: account.did, collection: 'app.bsky.feed.post', limit: 100 })).data.records.map(
        (r) => r.value as { text: string; embed?: { images: { alt: string }[] } },
      )
    expect(await bskyPosts()).toEqual([])

    // The schedule, every second instead of every hour. First run: killed by SIGKILL while its first post is in flight
    // (the PDS has stored it; the bot never heard back).
    const runArgs = (runs: number) => ['bin/gondola.js', ...argsOf(scheduled).map((a) => (a === '3600' ? '1' : a)), '--runs', String(runs)]
    const start = (runs: number) => {
      const child = spawn(process.execPath, runArgs(runs), { env, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout!.on('data', (d) => (out += d))
      child.stderr!.on('data', (d) => (err += d))
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((r) =>
        child.on('exit', (code, signal) => r({ code, signal, out, err })),
      )
      return { child, done, out: () => out }
    }
    const first = start(3)
    killOnCreate = first.child
    const killed = await first.done
    terminal.push(killed.out, killed.err)
    expect(killed.signal).toBe('SIGKILL')
    expect(await bskyPosts()).toHaveLength(1)
    const pool = new SimplePool()
    const botNotes = () => pool.querySync([relay.url], { kinds: [1], authors: [botPubkey] }, { maxWait: 2000 })
    expect(await botNotes()).toEqual([])
    const pendingDrafts = JSON.parse(await readFile(join(stateDir, 'social', 'social-bot.drafts.json'), 'utf8')).drafts
    expect(pendingDrafts).toMatchObject([{ done: false }])

    // Someone mentions the bot on Nostr while it is down.
    const fan = generateSecretKey()
    const mention = finalizeEvent(
      { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [['p', botPubkey]], content: 'Marco, where should I eat in Venice?' },
      fan,
    )
    await Promise.any(pool.publish([relay.url], mention))

    // Restart: the saved draft is finished (Bluesky finds its record, Nostr gets it), one more post, then the day's budget.
    // It runs until stopped (Ctrl-C), like a deployed bot.
    const second = start(1000)
    while (!second.out().includes('\n')) await new Promise((r) => setTimeout(r, 100))
    // A second bot on the same state dir while this one runs: refused (the post journal is locked).
    const third = await start(1).done
    terminal.push(third.out, third.err)
    expect(second.child.exitCode).toBe(null)
    expect(third.code, `${third.out}\n${third.err}`).toBe(1)
    expect(third.err).toContain('Another social bot is running on this state dir')
    const ticksSoFar = () =>
      second
        .out()
        .split('\n')
        .filter((l) => l.includes('"kind":"social"')).length
    while (ticksSoFar() < 4 || !second.out().includes('"kind":"reply"')) await new Promise((r) => setTimeout(r, 200))
    second.child.kill('SIGINT')
    const restarted = await second.done
    terminal.push(restarted.out, restarted.err)
    expect(restarted.signal).toBe(null) // it stopped itself: replies drained, lock released
    const lines = restarted.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as any)
    const ticks = lines.filter((l) => l.kind === 'social')
    expect(ticks.slice(0, 2).map((t) => t.status)).toEqual(['resumed', 'posted'])
    expect(new Set(ticks.slice(2).map((t) => t.status))).toEqual(new Set(['budget']))
    expect(ticks[0].key).toBe(pendingDrafts[0].key)
    expect(ticks[0].text).toBe(pendingDrafts[0].text)

    // Bluesky: exactly two posts, each with its image and alt text, the text as composed (quotes included).
    const posts = await bskyPosts()
    const drafts = JSON.parse(await readFile(join(stateDir, 'social', 'social-bot.drafts.json'), 'utf8')).drafts as {
      text: string
      key: string
      costDiem: number
      done: boolean
    }[]
    expect(drafts.map((d) => d.done)).toEqual([true, true])
    expect(posts.map((p) => p.text).sort()).toEqual(drafts.map((d) => d.text).sort())
    expect(drafts.some((d) => d.text.includes('"'))).toBe(true)
    for (const p of posts) expect(p.embed?.images[0]?.alt).toMatch(/^Illustration: /)
    // Nostr: the same two posts once each, and one reply to the mention.
    const notes = await botNotes()
    const keyed = notes.filter((n) => n.tags.some((t) => t[0] === 'gondola-key'))
    expect(keyed.map((n) => n.content).sort()).toEqual(drafts.map((d) => d.text).sort())
    const replies = notes.filter((n) => n.tags.some((t) => t[0] === 'e' && t[1] === mention.id))
    expect(replies).toHaveLength(1)
    expect(lines.filter((l) => l.kind === 'reply')).toMatchObject([{ to: mention.id, id: replies[0]!.id }])
    pool.close([relay.url])

    // Cost: every caption, reply and image in the ledger; the day's spend within the budget.
    const budget = Number(scheduled[scheduled.indexOf('--budget-diem-per-day') + 1])
    const entries = (await readLedger(join(stateDir, 'ledger.jsonl'))).filter((e) => e.agent === 'social-bot')
    const images = entries.filter((e) => e.promptTokens === 0 && e.completionTokens === 0)
    expect(images).toHaveLength(3) // the dry run's, and one per post
    expect(entries).toHaveLength(7) // + 3 captions (dry run, two posts) + the reply
    const spent = entries.reduce((s, e) => s + e.costDiem + e.costUsd, 0)
    expect(spent).toBeLessThanOrEqual(budget)
    expect(ticks.at(-1)).toMatchObject({ budgetDiemPerDay: budget, resumesAt: expect.stringMatching(/T00:00:00\.000Z$/) })

    // As a Venice character instead (checked against /characters first): a dry run in its voice; a misspelt slug is exit 3.
    const satoshi = (await json(['run', 'social-bot', '--character', 'satoshi', '--dry-run', '--budget-diem-per-day', '1'])).at(-1)
    expect(satoshi).toMatchObject({ status: 'dry-run', text: expect.stringMatching(/ — Satoshi$/) })
    const unknown = await exec(process.execPath, ['bin/gondola.js', 'run', 'social-bot', '--character', 'satoshi-nakamotto-typo', '--dry-run'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(unknown).toMatchObject({ code: 3, stderr: expect.stringContaining('--character "satoshi-nakamotto-typo": Venice has no character with that slug') })

    // No secret reached the terminal.
    const all = terminal.join('\n')
    for (const secret of [account.appPassword, nostrKey, CLI_TEST_PASSWORD, 'sk-marco-should-never-appear']) expect(all).not.toContain(secret)
    expect(address).toMatch(/^0x/)
  })
})
