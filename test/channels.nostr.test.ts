import { execFile } from 'node:child_process'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent, type Event } from 'nostr-tools/pure'
import { SimplePool, useWebSocketImplementation } from 'nostr-tools/pool'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nostrChannel, publishOnce, replyToMentions, type Channel } from '../src/channels/index.js'
import { startNostrRelay } from './helpers/nostrRelay.js'

let relay: Awaited<ReturnType<typeof startNostrRelay>>
// The test's own reader: Node 20 has no global WebSocket (the channel loads nostr-tools, and gives it `ws`, only when used).
useWebSocketImplementation(WebSocket)
const pool = new SimplePool()
beforeAll(async () => {
  relay = await startNostrRelay()
})
afterAll(async () => {
  pool.close([relay.url])
  await relay.stop()
})

const hex = (sk: Uint8Array) => Buffer.from(sk).toString('hex')
const notesBy = (author: string) => pool.querySync([relay.url], { kinds: [1], authors: [author] }, { maxWait: 2000 })
async function until<T>(f: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('condition not met')
}

describe('nostr channel (real relay from @nostr-relay/*)', () => {
  it('publishes a signed kind-1 note verbatim, and a crash between publish and journal never double-posts', async () => {
    const botKey = hex(generateSecretKey())
    const nostr = nostrChannel({ relays: [relay.url], secretKeyHex: botKey })
    const dir = await mkdtemp(join(tmpdir(), 'gondola-nostr-'))
    const journalPath = join(dir, 'posts.json')
    const crashing: Channel = {
      ...nostr,
      publish: async (p, o) => {
        await nostr.publish(p, o)
        throw new Error('simulated crash')
      },
    }
    const post = { text: 'Silk, "spices" & stories — day 1' }
    await expect(publishOnce({ channel: crashing, journalPath, key: 'marco:1', post })).rejects.toThrow('simulated crash')
    const resumed = await publishOnce({ channel: nostr, journalPath, key: 'marco:1', post })
    expect(resumed.resumed).toBe(true)
    await publishOnce({ channel: nostr, journalPath, key: 'marco:2', post: { text: 'day 2' } })
    const notes = await notesBy(nostr.pubkey)
    expect(notes.map((n) => n.content).sort()).toEqual(['Silk, "spices" & stories — day 1', 'day 2'])
    expect(notes.every((n) => verifyEvent(n) && n.kind === 1)).toBe(true)
    expect(notes.find((n) => n.content === 'day 2')!.id).toBe(JSON.parse(await readFile(journalPath, 'utf8')).entries[1].id)
    expect(() => nostrChannel({ relays: [relay.url], secretKeyHex: 'nsec-not-hex' })).toThrow(/64 hex characters/)
    nostr.close()
  })

  it('waits out relays answering "rate-limited:" and sends the same event again (a real ws hop in front of the relay)', async () => {
    // The hop answers OK false "rate-limited:" to the first EVENT and passes everything else to the real relay.
    const hop = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    let limited = 0
    let always = false
    hop.on('connection', (client) => {
      const upstream = new WebSocket(relay.url)
      const ready = new Promise((r) => upstream.once('open', r))
      upstream.on('message', (data) => client.send(String(data)))
      client.on('message', async (data) => {
        const msg = JSON.parse(String(data)) as [string, { id: string }]
        if (msg[0] === 'EVENT' && (always || limited++ === 0)) return void client.send(JSON.stringify(['OK', msg[1].id, false, 'rate-limited: slow down']))
        await ready
        upstream.send(String(data))
      })
      client.on('close', () => upstream.close())
    })
    await new Promise<void>((r) => hop.on('listening', () => r()))
    const hopUrl = `ws://127.0.0.1:${(hop.address() as AddressInfo).port}`
    const waits: number[] = []
    const nostr = nostrChannel({ relays: [hopUrl], secretKeyHex: hex(generateSecretKey()), backoff: { sleep: async (ms) => void waits.push(ms) } })
    try {
      const { id } = await nostr.publish({ text: 'after the limit' }, { idempotencyKey: 'rl-1', attemptedAt: Date.now() })
      expect(waits).toEqual([1000])
      expect((await notesBy(nostr.pubkey)).map((n) => n.id)).toEqual([id])
      // Limited every time: after maxRetries it fails with the relay's reason.
      always = true
      const err = await nostrChannel({ relays: [hopUrl], secretKeyHex: hex(generateSecretKey()), backoff: { maxRetries: 2, sleep: async () => {} } })
        .publish({ text: 'x' }, { idempotencyKey: 'rl-2' })
        .catch((e: Error) => e)
      expect(String((err as Error).message)).toContain('rate-limited: slow down')
    } finally {
      nostr.close()
      for (const c of hop.clients) c.terminate()
      await new Promise<void>((r) => hop.close(() => r()))
    }
  })

  it('replies once to each mention (#p), persists answered ids (0600), and a restart never replies twice', async () => {
    const botSk = generateSecretKey()
    const bot = getPublicKey(botSk)
    const userSk = generateSecretKey()
    const dir = await mkdtemp(join(tmpdir(), 'gondola-nostr-'))
    const statePath = join(dir, 'mentions.json')
    const answered: string[] = []
    const start = () =>
      replyToMentions({
        relays: [relay.url],
        secretKeyHex: hex(botSk),
        statePath,
        answer: async (e: Event) => {
          answered.push(e.id)
          return `Re: ${e.content}`
        },
      })
    const mention = (content: string) => finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [['p', bot]], content }, userSk)
    const repliesTo = async (id: string) => (await notesBy(bot)).filter((n) => n.tags.some((t) => t[0] === 'e' && t[1] === id))

    const first = await start()
    const m1 = mention('Marco, where next?')
    await Promise.all(pool.publish([relay.url], m1))
    await Promise.all(
      pool.publish([relay.url], finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: 'not a mention' }, userSk)),
    )
    const [r1] = await until(async () => ((await repliesTo(m1.id)).length ? repliesTo(m1.id) : undefined))
    expect(r1!.content).toBe('Re: Marco, where next?')
    expect(r1!.tags).toEqual([
      ['e', m1.id, relay.url, 'reply'],
      ['p', getPublicKey(userSk)],
    ])
    await first.stop()
    expect((await stat(statePath)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(statePath, 'utf8')).answered[m1.id]).toBe(r1!.id)

    // Restart: the relay replays m1 (since cursor), it is not answered again; a new mention is.
    const second = await start()
    const m2 = mention('And the spices?')
    await Promise.all(pool.publish([relay.url], m2))
    await until(async () => ((await repliesTo(m2.id)).length ? true : undefined))
    await second.stop()
    expect(await repliesTo(m1.id)).toHaveLength(1)
    expect(answered).toEqual([m1.id, m2.id])

    // Crash after the reply was sent but before it was confirmed in the state file: the relays are asked, no second reply.
    const state = JSON.parse(await readFile(statePath, 'utf8'))
    state.answered[m2.id] = null
    // Crash after marking m3 but before its reply went out: it is answered on restart.
    const m3 = mention('Kublai?')
    await Promise.all(pool.publish([relay.url], m3))
    state.answered[m3.id] = null
    await writeFile(statePath, JSON.stringify(state), { mode: 0o600 })
    const third = await start()
    await until(async () => ((await repliesTo(m3.id)).length ? true : undefined))
    await new Promise((r) => setTimeout(r, 300))
    await third.stop()
    expect(await repliesTo(m2.id)).toHaveLength(1)
    expect(await repliesTo(m3.id)).toHaveLength(1)
    expect(answered).toEqual([m1.id, m2.id, m3.id])
  })
})

describe('the social bot tool publishes through a channel', () => {
  it('post_to_outbox with a nostr channel posts once, even when the same post is retried', async () => {
    const { outboxTool } = await import('../src/host/hostTools.js')
    const nostr = nostrChannel({ relays: [relay.url], secretKeyHex: hex(generateSecretKey()) })
    const dir = await mkdtemp(join(tmpdir(), 'gondola-tool-'))
    const tool = outboxTool({ outboxDir: dir, channel: nostr })
    const first = (await tool.handler({ text: 'A "quoted" caption' }, { agent: 'social' })) as { id: string; channel: string }
    const again = await tool.handler({ text: 'A "quoted" caption' }, { agent: 'social' })
    expect(first.channel).toBe('nostr')
    expect(again).toEqual({ posted: true, channel: 'nostr', id: first.id, alreadyPosted: true })
    const notes = await notesBy(nostr.pubkey)
    expect(notes.map((n) => [n.id, n.content])).toEqual([[first.id, 'A "quoted" caption']])
    nostr.close()
  })
})

describe('a real SIGKILL between publish and journal', () => {
  it('the restarted bot finds the note on the relay and does not post it again', async () => {
    const sk = hex(generateSecretKey())
    const dir = await mkdtemp(join(tmpdir(), 'gondola-kill-'))
    const journalPath = join(dir, 'posts.json')
    const child = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => {
      const p = execFile(
        process.execPath,
        ['--import', 'tsx', 'test/fixtures/publishAndDie.ts', relay.url, sk, journalPath, 'marco:k1', 'killed mid-post'],
        () => {},
      )
      p.on('exit', (_code, signal) => resolve({ signal }))
    })
    expect(child.signal).toBe('SIGKILL')
    expect(JSON.parse(await readFile(journalPath, 'utf8')).entries).toMatchObject([{ key: 'marco:k1', state: 'intent' }])
    const nostr = nostrChannel({ relays: [relay.url], secretKeyHex: sk })
    const again = await publishOnce({ channel: nostr, journalPath, key: 'marco:k1', post: { text: 'killed mid-post' } })
    const notes = await notesBy(nostr.pubkey)
    expect(notes.map((n) => n.content)).toEqual(['killed mid-post'])
    expect(again).toEqual({ id: notes[0]!.id, resumed: true })
    nostr.close()
  })

  it("a mention put off (the day's budget is spent) is answered at its time while running, and after a restart", async () => {
    const botSk = generateSecretKey()
    const bot = getPublicKey(botSk)
    const userSk = generateSecretKey()
    const statePath = join(await mkdtemp(join(tmpdir(), 'gondola-mentions-')), 'mentions.json')
    const mention = (content: string) => finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [['p', bot]], content }, userSk)
    const repliesTo = async (id: string) => (await notesBy(bot)).filter((n) => n.tags.some((t) => t[0] === 'e' && t[1] === id))
    let budgetSpent = true
    const errors: string[] = []
    const start = () =>
      replyToMentions({
        relays: [relay.url],
        secretKeyHex: hex(botSk),
        statePath,
        answer: async (e: Event) => {
          // Like the social bot's DailyBudgetError: refused until retryAt (here: 300 ms ahead, standing for 00:00 UTC).
          if (budgetSpent) throw Object.assign(new Error('budget spent'), { retryAt: Date.now() + 300 })
          return `Re: ${e.content}`
        },
        onError: (err) => errors.push((err as Error).message),
      })

    // While running: refused once, then answered by the timer without any new event or restart.
    const running = await start()
    const m1 = mention('Answer me after midnight')
    await Promise.all(pool.publish([relay.url], m1))
    await until(async () => (errors.length ? true : undefined))
    expect(JSON.parse(await readFile(statePath, 'utf8')).deferred[m1.id].event.id).toBe(m1.id)
    budgetSpent = false
    const [r1] = await until(async () => ((await repliesTo(m1.id)).length ? repliesTo(m1.id) : undefined))
    expect(r1!.content).toBe('Re: Answer me after midnight')
    await running.stop()
    expect(JSON.parse(await readFile(statePath, 'utf8')).deferred).toEqual({})

    // Put off, then the process stops before the time: the next start answers it (the event is kept whole).
    budgetSpent = true
    const first = await start()
    const m2 = mention('And after a restart?')
    await Promise.all(pool.publish([relay.url], m2))
    await until(async () => (errors.length >= 2 ? true : undefined))
    await first.stop()
    budgetSpent = false
    await new Promise((r) => setTimeout(r, 350))
    const second = await start()
    const [r2] = await until(async () => ((await repliesTo(m2.id)).length ? repliesTo(m2.id) : undefined))
    expect(r2!.content).toBe('Re: And after a restart?')
    await second.stop()
    expect(await repliesTo(m2.id)).toHaveLength(1)
  })
})
