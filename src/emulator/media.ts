/**
 * Tiny deterministic media: a valid PNG (solid colour from a seed), a WAV / raw PCM tone, silent MP3
 * frames, and unit-length embedding vectors derived from the input text.
 */
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/**
 * A `size`×`size` RGB PNG filled with a colour derived from `seed`.
 *
 * @example
 * ```ts
 * tinyPng('a cat').subarray(1, 4).toString() // 'PNG'
 * ```
 */
export function tinyPng(seed: string, size = 8): Buffer {
  const [r, g, b] = createHash('sha256').update(seed).digest()
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r!, g!, b!]).flat())])
  const raw = Buffer.concat(Array.from({ length: size }, () => row))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** 16-bit mono PCM samples of a short tone whose pitch and length follow the text. */
export function tonePcm(text: string, sampleRate = 8000): Buffer {
  const seconds = Math.min(2, 0.1 + text.length * 0.01)
  const freq = 220 + (createHash('sha256').update(text).digest()[0]! % 64) * 10
  const n = Math.floor(sampleRate * seconds)
  const pcm = Buffer.alloc(n * 2)
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / sampleRate) * 8000), i * 2)
  return pcm
}

/** A WAV file (RIFF, PCM 16-bit mono) around `pcm`. */
export function wav(pcm: Buffer, sampleRate = 8000): Buffer {
  const h = Buffer.alloc(44)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(36 + pcm.length, 4)
  h.write('WAVEfmt ', 8, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20)
  h.writeUInt16LE(1, 22)
  h.writeUInt32LE(sampleRate, 24)
  h.writeUInt32LE(sampleRate * 2, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(pcm.length, 40)
  return Buffer.concat([h, pcm])
}

/** Silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes each), about 26 ms per frame. */
export function silentMp3(frames: number): Buffer {
  const frame = Buffer.alloc(417)
  frame.set([0xff, 0xfb, 0x90, 0x64])
  return Buffer.concat(Array.from({ length: frames }, () => frame))
}

/**
 * A deterministic unit vector for `text` (same text → same vector; similar prefixes do not matter).
 *
 * @example
 * ```ts
 * embed('hello', 4).length // 4
 * ```
 */
export function embed(text: string, dimensions: number): number[] {
  const out: number[] = []
  let block = Buffer.alloc(0)
  for (let i = 0; out.length < dimensions; i++) {
    if (block.length === 0) block = createHash('sha256').update(`${i}:${text}`).digest()
    out.push(block.readUInt8(0) / 127.5 - 1)
    block = block.subarray(1)
  }
  const norm = Math.hypot(...out) || 1
  return out.map((v) => Math.round((v / norm) * 1e6) / 1e6)
}
