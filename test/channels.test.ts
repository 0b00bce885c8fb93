import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelFromEnv, outboxChannel, publishOnce, readCredential, signBody, webhookChannel, type Channel } from '../src/channels/index.js'
import { readEnv } from '../src/config/env.js'

const SECRET = 'whsec-test-0123456789abcdef'

/** A real local webhook receiver: checks the HMAC, answers 429 (Retry-After) to the first request of each key, drops repeats. */
let server: Server
let url: string
const received: { key: string; body: string; signatureOk: boolean }[] = []
const seen = new Map<string, number>()
const delivered = new Set<string>()
beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    const key = String(req.headers['idempotency-key'])
    received.push({ key, body, signatureOk: req.headers['x-gondola-signature'] === signBody(body, SECRET) })
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    if (key.startsWith('limited') && n === 1) return void res.writeHead(429, { 'retry-after': '0' }).end()
    if (key.startsWith('broken')) return void res.writeHead(500).end()
    delivered.add(key)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `srv-${key}` }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/${SECRET.slice(-6)}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

/** Publishes for real, then "crashes" before publishOnce can journal the id. */
function crashAfterPublish(channel: Channel): Channel {
  return {
    ...channel,
    name: channel.name,
    publish: async (post, o) => {
      await channel.publish(post, o)
      throw new Error('simulated crash')
    },
  }
}

describe('outbox channel + publishOnce', () => {
  it('journals the post (0600) and a restart after a crash between publish and journal never appends it twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-ch-'))
    const journalPath = join(dir, 'posts.json')
    const outbox = outboxChannel({ dir })
    const post = { text: 'He said "hello" — verbatim', agent: 'marco' }
    await expect(publishOnce({ channel: crashAfterPublish(outbox), journalPath, key: 'marco:1', post })).rejects.toThrow('simulated crash')
    expect(JSON.parse(await readFile(journalPath, 'utf8')).entries[0]).toMatchObject({ key: 'marco:1', state: 'intent' })
    const resumed = await publishOnce({ channel: outbox, journalPath, key: 'marco:1', post })
    expect(resumed).toEqual({ id: 'marco:1', resumed: true })
    expect(await publishOnce({ channel: outbox, journalPath, key: 'marco:1', post })).toMatchObject({ resumed: true })
    await publishOnce({ channel: outbox, journalPath, key: 'marco:2', post: { text: 'second' } })
    const lines = (await readFile(join(dir, 'outbox.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.id, l.text])).toEqual([
      ['marco:1', 'He said "hello" — verbatim'],
      ['marco:2', 'second'],
    ])
    expect((await stat(journalPath)).mode & 0o777).toBe(0o600)
  })
})

describe('webhook channel (real local HTTP server)', () => {
  it('signs the exact body, backs off on 429 Retry-After, and sends Discord/Slack bodies', async () => {
    const slept: number[] = []
    const channel = webhookChannel({ url, secret: SECRET, sleep: async (ms) => void slept.push(ms) })
    expect(await channel.publish({ text: 'gm "frens"' }, { idempotencyKey: 'limited-1' })).toEqual({ id: 'srv-limited-1' })
    const tries = received.filter((r) => r.key === 'limited-1')
    expect(tries).toHaveLength(2)
    expect(tries.every((t) => t.signatureOk)).toBe(true)
    expect(JSON.parse(tries[1]!.body)).toEqual({ id: 'limited-1', text: 'gm "frens"' })
    expect(slept).toEqual([0])
    await webhookChannel({ url, secret: SECRET, format: 'discord' }).publish({ text: 'to discord' }, { idempotencyKey: 'd-1' })
    await webhookChannel({ url, secret: SECRET, format: 'slack' }).publish({ text: 'to slack' }, { idempotencyKey: 's-1' })
    expect(JSON.parse(received.find((r) => r.key === 'd-1')!.body)).toEqual({ content: 'to discord' })
    expect(JSON.parse(received.find((r) => r.key === 's-1')!.body)).toEqual({ text: 'to slack' })
    // A wrong secret gives a signature the receiver rejects.
    await webhookChannel({ url, secret: 'other' }).publish({ text: 'x' }, { idempotencyKey: 'w-1' })
    expect(received.find((r) => r.key === 'w-1')!.signatureOk).toBe(false)
  })

  it('the json body carries the image inline, fitted to 1,000,000 bytes and 2000 px, with its alt text; Discord gets the text only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-wh-img-'))
    const small = join(dir, 'small.png')
    const wide = join(dir, 'wide.png')
    await writeFile(
      small,
      await sharp({ create: { width: 40, height: 30, channels: 3, background: '#224466' } })
        .png()
        .toBuffer(),
    )
    await writeFile(
      wide,
      await sharp({ create: { width: 3000, height: 600, channels: 3, background: '#aa3300' } })
        .png()
        .toBuffer(),
    )
    const channel = webhookChannel({ url, secret: SECRET })
    await channel.publish({ text: 'with image', image: small, alt: 'A blue square' }, { idempotencyKey: 'img-1' })
    await channel.publish({ text: 'wide image', image: wide, alt: 'A red band' }, { idempotencyKey: 'img-2' })
    const one = JSON.parse(received.find((r) => r.key === 'img-1')!.body)
    expect(one).toMatchObject({ text: 'with image', image: { mimeType: 'image/png', width: 40, height: 30, alt: 'A blue square' } })
    expect(Buffer.from(one.image.base64, 'base64').equals(await readFile(small))).toBe(true) // within limits: byte for byte
    const two = JSON.parse(received.find((r) => r.key === 'img-2')!.body)
    expect(two.image).toMatchObject({ mimeType: 'image/jpeg', width: 2000, height: 400, alt: 'A red band' })
    expect(Buffer.from(two.image.base64, 'base64').byteLength).toBeLessThanOrEqual(1_000_000)
    expect(received.every((r) => r.signatureOk || r.key === 'w-1')).toBe(true)
    await webhookChannel({ url, secret: SECRET, format: 'discord' }).publish({ text: 'no file', image: small }, { idempotencyKey: 'd-img' })
    expect(JSON.parse(received.find((r) => r.key === 'd-img')!.body)).toEqual({ content: 'no file' })
  })

  it('errors name the host only (never the URL path or the secret); a crash after publish resends with the same key, delivered once', async () => {
    // A 5xx is retried under the shared policy (same Idempotency-Key), then reported.
    const waits: number[] = []
    const err = await webhookChannel({ url, secret: SECRET, sleep: async (ms) => void waits.push(ms) })
      .publish({ text: 'x' }, { idempotencyKey: 'broken-1' })
      .catch((e: Error) => e)
    expect(err).toMatchObject({ code: 'WEBHOOK_STATUS', exitCode: 5 })
    expect(received.filter((r) => r.key === 'broken-1')).toHaveLength(4)
    expect(waits).toHaveLength(3)
    expect(String((err as Error).message)).not.toContain('/hook/')
    expect(String((err as Error).message)).not.toContain(SECRET)
    const dir = await mkdtemp(join(tmpdir(), 'gondola-wh-'))
    const journalPath = join(dir, 'posts.json')
    const channel = webhookChannel({ url, secret: SECRET })
    await expect(publishOnce({ channel: crashAfterPublish(channel), journalPath, key: 'once-1', post: { text: 'once' } })).rejects.toThrow('simulated crash')
    expect(await publishOnce({ channel, journalPath, key: 'once-1', post: { text: 'once' } })).toEqual({ id: 'srv-once-1', resumed: false })
    expect(await publishOnce({ channel, journalPath, key: 'once-1', post: { text: 'once' } })).toEqual({ id: 'srv-once-1', url: undefined, resumed: true })
    expect(received.filter((r) => r.key === 'once-1').map((r) => r.body)).toEqual([
      JSON.stringify({ id: 'once-1', text: 'once' }),
      JSON.stringify({ id: 'once-1', text: 'once' }),
    ])
    expect([...delivered].filter((k) => k === 'once-1')).toHaveLength(1)
  })
})

describe('channel credentials from env or a 0600 file', () => {
  it('reads the variable first, else a 0600 file; refuses a group/other-readable file without printing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-cred-'))
    const good = join(dir, 'secret')
    const loose = join(dir, 'loose')
    await writeFile(good, `${SECRET}\n`, { mode: 0o600 })
    await writeFile(loose, SECRET, { mode: 0o644 })
    expect(await readCredential('GONDOLA_WEBHOOK_SECRET', 'from-env-0123456789', good)).toBe('from-env-0123456789')
    expect(await readCredential('GONDOLA_WEBHOOK_SECRET', undefined, good)).toBe(SECRET)
    const err = await readCredential('GONDOLA_WEBHOOK_SECRET', undefined, loose).catch((e: Error) => e)
    expect(err).toMatchObject({ code: 'CHANNEL_CREDENTIAL_MODE', exitCode: 3 })
    expect(String(err)).toContain(`chmod 600 ${loose}`)
    expect(String(err)).not.toContain(SECRET)
    await expect(readCredential('GONDOLA_NOSTR_SECRET_KEY', undefined, undefined)).rejects.toThrow('GONDOLA_NOSTR_SECRET_KEY is not set.')
  })

  it('GONDOLA_CHANNEL picks the channel; the webhook one built from env posts signed to the server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-env-'))
    const secretFile = join(dir, 'hook-secret')
    await writeFile(secretFile, SECRET, { mode: 0o600 })
    expect((await channelFromEnv(readEnv({ GONDOLA_STATE_DIR: dir }))).name).toBe('outbox')
    const hook = await channelFromEnv(
      readEnv({
        GONDOLA_STATE_DIR: dir,
        GONDOLA_CHANNEL: 'webhook',
        GONDOLA_WEBHOOK_URL: url,
        GONDOLA_WEBHOOK_SECRET_FILE: secretFile,
        GONDOLA_WEBHOOK_FORMAT: 'slack',
      }),
    )
    await hook.publish({ text: 'from env' }, { idempotencyKey: 'env-1' })
    expect(received.find((r) => r.key === 'env-1')).toMatchObject({ body: JSON.stringify({ text: 'from env' }), signatureOk: true })
    await expect(channelFromEnv(readEnv({ GONDOLA_STATE_DIR: dir, GONDOLA_CHANNEL: 'nostr', GONDOLA_NOSTR_SECRET_KEY: 'ab'.repeat(32) }))).rejects.toThrow(
      'GONDOLA_NOSTR_RELAYS is not set',
    )
    expect(() => readEnv({ GONDOLA_NOSTR_RELAYS: 'http://relay' })).toThrow(/GONDOLA_NOSTR_RELAYS/)
  })
})
