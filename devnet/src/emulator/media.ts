/**
 * Deterministic media: a solid-colour image of the requested format and size (from a seed), a WAV / raw PCM tone, silent MP3
 * frames, and unit-length embedding vectors derived from the input text.
 */
import { createHash } from 'node:crypto'

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

/**
 * An image of the requested size in the requested format (`png`, `jpeg` or `webp`, Venice's default), filled with a
 * colour derived from `seed`, encoded by sharp (libvips) so the bytes really are that format.
 *
 * @example
 * ```ts
 * (await solidImage('a cat', 'webp', 64, 64)).subarray(8, 12).toString() // 'WEBP'
 * ```
 */
export async function solidImage(seed: string, format: 'png' | 'jpeg' | 'webp', width: number, height: number): Promise<Buffer> {
  const [r = 0, g = 0, b = 0] = createHash('sha256').update(seed).digest()
  const { default: sharp } = await import('sharp')
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .toFormat(format)
    .toBuffer()
}
