import { importOptional } from '../../util/optionalDependency.js'

/** What a channel accepts for one image: at most `maxBytes` bytes, and `maxDimension` pixels on the longer side. */
export type ImageLimits = { maxBytes: number; maxDimension: number }

/** An image ready to upload: its bytes, MIME type and pixel size (for the post's aspect ratio). */
export type FittedImage = { bytes: Buffer; mimeType: string; width: number; height: number }

/** Bluesky's image blob limit (1,000,000 bytes per image) and a longer side of 2000 px, as its app resizes to. */
export const BLUESKY_IMAGE_LIMITS: ImageLimits = { maxBytes: 1_000_000, maxDimension: 2000 }

const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' }

/**
 * Fits an image to a channel's limits with sharp: an image already within them (and in a format the channel
 * takes) is passed through byte for byte; otherwise it is scaled down to `maxDimension` and re-encoded as JPEG,
 * lowering the quality (then the size) until it fits `maxBytes`.
 *
 * @example
 * ```ts
 * const { bytes, mimeType, width, height } = await fitImage(await readFile('post.webp'), BLUESKY_IMAGE_LIMITS)
 * ```
 */
export async function fitImage(
  input: Buffer,
  limits: ImageLimits,
  accept: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'],
): Promise<FittedImage> {
  const { default: sharp } = await importOptional<typeof import('sharp')>('sharp', 'Fitting an image to a channel')
  const meta = await sharp(input).metadata()
  const width = meta.width ?? 0
  const height = meta.height ?? 0
  const mimeType = MIME[meta.format ?? ''] ?? 'application/octet-stream'
  if (input.byteLength <= limits.maxBytes && Math.max(width, height) <= limits.maxDimension && accept.includes(mimeType))
    return { bytes: input, mimeType, width, height }
  let side = Math.min(limits.maxDimension, Math.max(width, height))
  for (;;) {
    for (const quality of [90, 80, 70, 60, 50]) {
      const { data, info } = await sharp(input)
        .rotate()
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer({ resolveWithObject: true })
      if (data.byteLength <= limits.maxBytes) return { bytes: data, mimeType: 'image/jpeg', width: info.width, height: info.height }
    }
    side = Math.floor(side * 0.75)
    if (side < 64) throw new Error(`The image cannot be made smaller than ${limits.maxBytes} bytes.`)
  }
}
