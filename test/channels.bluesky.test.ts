import { randomBytes } from 'node:crypto'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { AtpAgent } from '@atproto/api'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BLUESKY_IMAGE_LIMITS, blueskyChannel, channelsFromEnv, fitImage, publishOnce, type Channel } from '../src/channels/index.js'
import { readEnv } from '../src/config/env.js'
import { startBlueskyPds, type BlueskyPds } from './helpers/blueskyPds.js'

// One reference PDS (@atproto/dev-env) for the whole file.
let pds: BlueskyPds
let bot: { handle: string; did: string; appPassword: string }
let reader: AtpAgent
let dir: string
beforeAll(async () => {
  pds = await startBlueskyPds()
  bot = await pds.createAccount('marco')
  await pds.createAccount('rustichello')
  reader = new AtpAgent({ service: pds.url })
  dir = await mkdtemp(join(tmpdir(), 'gondola-bsky-'))
})
afterAll(async () => {
  await pds?.stop()
})

const posts = async () => (await reader.com.atproto.repo.listRecords({ repo: bot.did, collection: 'app.bsky.feed.post', limit: 100 })).data.records
const blobBytes = async (cid: string) => Buffer.from((await reader.com.atproto.sync.getBlob({ did: bot.did, cid })).data)

/** A noisy RGB image: random pixels do not compress, so it is far over Bluesky's 1,000,000 bytes as PNG. */
async function noisyPng(width: number, height: number): Promise<Buffer> {
  const raw = randomBytes(width * height * 3)
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer()
}

/** A real HTTP hop in front of the PDS; `intercept` may answer a request itself (return true) instead of passing it on. */
async function hop(intercept: (req: IncomingMessage, res: ServerResponse) => boolean) {
  const server: Server = createServer((req, res) => {
    if (intercept(req, res)) return
    const target = new URL(pds.url)
    const up = httpRequest({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    req.pipe(up)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) }
}

describe('bluesky channel (reference PDS from @atproto/dev-env)', () => {
  it('posts text verbatim with link and mention facets, and reads the record back', async () => {
    const channel = blueskyChannel({ service: pds.url, handle: bot.handle, appPassword: bot.appPassword })
    const text = 'He said "fresh" fish — ask @rustichello.test, or see https://example.com/venice ✨'
    const published = await channel.publish({ text }, { idempotencyKey: 'marco:text', attemptedAt: Date.parse('2026-11-30T10:00:00Z') })
    const rkey = published.id.split('/').pop()!
    const record = (await reader.com.atproto.repo.getRecord({ repo: bot.did, collection: 'app.bsky.feed.post', rkey })).data.value as {
      text: string
      createdAt: string
      facets: { features: { $type: string; uri?: string; did?: string }[] }[]
    }
    expect(record.text).toBe(text)
    expect(record.createdAt).toBe('2026-11-30T10:00:00.000Z')
    const features = record.facets.flatMap((f) => f.features)
    expect(features).toContainEqual({ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/venice' })
    expect(features.find((f) => f.$type === 'app.bsky.richtext.facet#mention')?.did).toMatch(/^did:plc:/)
    // Too long for Bluesky: refused, not cut.
    await expect(channel.publish({ text: 'x'.repeat(301) }, { idempotencyKey: 'marco:long', attemptedAt: Date.now() })).rejects.toThrow('301 graphemes')
  })

  it('uploads images as blobs with alt text: a small one byte for byte, a large one fitted under 1,000,000 bytes and 2000 px', async () => {
    const channel = blueskyChannel({ service: pds.url, handle: bot.handle, appPassword: bot.appPassword })
    const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } })
      .webp()
      .toBuffer()
    const large = await noisyPng(2400, 420)
    expect(large.byteLength).toBeGreaterThan(1_000_000)
    await writeFile(join(dir, 'small.webp'), small)
    await writeFile(join(dir, 'large.png'), large)
    for (const [file, original] of [
      ['small.webp', small],
      ['large.png', large],
    ] as const) {
      const published = await channel.publish(
        { text: `image ${file}`, image: join(dir, file), alt: `Alt for ${file}` },
        { idempotencyKey: `marco:${file}`, attemptedAt: Date.now() },
      )
      const rkey = published.id.split('/').pop()!
      const value = (await reader.com.atproto.repo.getRecord({ repo: bot.did, collection: 'app.bsky.feed.post', rkey })).data.value as {
        embed: {
          $type: string
          images: { alt: string; aspectRatio: { width: number; height: number }; image: { ref: { toString(): string }; mimeType: string; size: number } }[]
        }
      }
      expect(value.embed.$type).toBe('app.bsky.embed.images')
      const img = value.embed.images[0]!
      expect(img.alt).toBe(`Alt for ${file}`)
      const stored = await blobBytes(img.image.ref.toString())
      const expected = (await fitImage(original, BLUESKY_IMAGE_LIMITS)).bytes
      expect(stored.equals(expected)).toBe(true)
      if (file === 'small.webp') {
        expect(stored.equals(small)).toBe(true)
        expect(img.aspectRatio).toEqual({ width: 64, height: 48 })
      } else {
        expect(img.image.mimeType).toBe('image/jpeg')
        expect(stored.byteLength).toBeLessThanOrEqual(1_000_000)
        const meta = await sharp(stored).metadata()
        expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(2000)
        expect(img.aspectRatio).toEqual({ width: meta.width, height: meta.height })
      }
    }
  })

  it('never posts twice: a crash after the create is found on restart, and a repeated create lands on the same record', async () => {
    const channel = blueskyChannel({ service: pds.url, handle: bot.handle, appPassword: bot.appPassword })
    const journalPath = join(dir, 'posts.json')
    const crashing: Channel = {
      ...channel,
      publish: async (post, o) => {
        await channel.publish(post, o)
        throw new Error('simulated crash')
      },
    }
    const before = (await posts()).length
    await expect(publishOnce({ channel: crashing, journalPath, key: 'marco:crash', post: { text: 'once only' } })).rejects.toThrow('simulated crash')
    // A fresh process: a new channel (new login) and the journal from disk.
    const restarted = blueskyChannel({ service: pds.url, handle: bot.handle, appPassword: bot.appPassword })
    const resumed = await publishOnce({ channel: restarted, journalPath, key: 'marco:crash', post: { text: 'once only' } })
    expect(resumed.resumed).toBe(true)
    // The journal lost entirely (worst case): the same key and first-attempt time address the same record.
    const attemptedAt = JSON.parse(await readFile(journalPath, 'utf8')).entries[0].attemptedAt as number
    const again = await restarted.publish({ text: 'once only' }, { idempotencyKey: 'marco:crash', attemptedAt })
    expect(again.id).toBe(resumed.id)
    const after = await posts()
    expect(after.length).toBe(before + 1)
    expect(after.filter((r) => (r.value as { text: string }).text === 'once only')).toHaveLength(1)
  })

  it('waits out 429 Retry-After and keeps the app password out of every error', async () => {
    // A real HTTP hop in front of the PDS that answers 429 to the first createRecord (what a rate-limited PDS sends).
    let limited = 0
    const proxy = await hop((req, res) => {
      if (!req.url?.includes('com.atproto.repo.createRecord') || limited++ > 0) return false
      res
        .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }))
      return true
    })
    try {
      const waits: number[] = []
      const channel = blueskyChannel({ service: proxy.url, handle: bot.handle, appPassword: bot.appPassword, sleep: async (ms) => void waits.push(ms) })
      const published = await channel.publish({ text: 'after the limit' }, { idempotencyKey: 'marco:429', attemptedAt: Date.now() })
      expect(published.id).toContain(bot.did)
      expect(waits).toEqual([1000])
      const bad = blueskyChannel({ service: pds.url, handle: bot.handle, appPassword: 'wrong-app-password-1234' })
      const err = await bad.publish({ text: 'x' }, { idempotencyKey: 'marco:bad' }).catch((e: Error) => e)
      expect(err).toBeInstanceOf(Error)
      expect(String((err as Error).message)).toContain(`login as ${bot.handle}`)
      expect(JSON.stringify(err) + String(err) + String((err as Error).stack)).not.toContain('wrong-app-password-1234')
    } finally {
      await proxy.close()
    }
  })

  it('keeps the session in a 0600 file: a restarted channel resumes it instead of logging in again', async () => {
    let logins = 0
    const proxy = await hop((req) => {
      if (req.url?.includes('com.atproto.server.createSession')) logins++
      return false
    })
    try {
      const sessionPath = join(dir, 'social', 'bluesky.session.json')
      const first = blueskyChannel({ service: proxy.url, handle: bot.handle, appPassword: bot.appPassword, sessionPath })
      await first.publish({ text: 'session 1' }, { idempotencyKey: 'marco:s1', attemptedAt: Date.now() })
      for (let i = 0; i < 50 && !(await stat(sessionPath).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 20))
      expect((await stat(sessionPath)).mode & 0o777).toBe(0o600)
      expect(await readFile(sessionPath, 'utf8')).not.toContain(bot.appPassword)
      const restarted = blueskyChannel({ service: proxy.url, handle: bot.handle, appPassword: bot.appPassword, sessionPath })
      await restarted.publish({ text: 'session 2' }, { idempotencyKey: 'marco:s2', attemptedAt: Date.now() })
      expect(logins).toBe(1)
      // A session file that no longer works (tokens revoked, garbage): a fresh login.
      await writeFile(sessionPath, JSON.stringify({ handle: bot.handle, did: bot.did, accessJwt: 'x', refreshJwt: 'y', active: true }), { mode: 0o600 })
      await blueskyChannel({ service: proxy.url, handle: bot.handle, appPassword: bot.appPassword, sessionPath }).publish(
        { text: 'session 3' },
        { idempotencyKey: 'marco:s3', attemptedAt: Date.now() },
      )
      expect(logins).toBe(2)
    } finally {
      await proxy.close()
    }
  })

  it('GONDOLA_CHANNEL=bluesky,outbox builds both, the app password from a 0600 file', async () => {
    const file = join(dir, 'bsky-password')
    await writeFile(file, `${bot.appPassword}\n`, { mode: 0o644 })
    const env = readEnv({
      GONDOLA_STATE_DIR: dir,
      GONDOLA_CHANNEL: 'bluesky,outbox',
      GONDOLA_BLUESKY_SERVICE: pds.url,
      GONDOLA_BLUESKY_HANDLE: bot.handle,
      GONDOLA_BLUESKY_APP_PASSWORD_FILE: file,
    })
    await expect(channelsFromEnv(env)).rejects.toThrow(`chmod 600 ${file}`)
    await chmod(file, 0o600)
    const channels = await channelsFromEnv(env)
    expect(channels.map((c) => c.name)).toEqual(['bluesky', 'outbox'])
    expect((await channels[0]!.publish({ text: 'from env' }, { idempotencyKey: 'marco:env', attemptedAt: Date.now() })).id).toContain(bot.did)
    expect(() => readEnv({ GONDOLA_CHANNEL: 'bluesky,mastodon' })).toThrow('GONDOLA_CHANNEL')
    await expect(channelsFromEnv(readEnv({ GONDOLA_CHANNEL: 'bluesky', GONDOLA_BLUESKY_APP_PASSWORD: 'x' }))).rejects.toThrow(
      'GONDOLA_BLUESKY_HANDLE is not set',
    )
  })
})
