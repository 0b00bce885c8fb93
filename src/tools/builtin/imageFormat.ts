/** Image formats Venice returns, by their file signature. */
export type ImageFormat = 'png' | 'jpeg' | 'webp'

/**
 * The real format of image bytes, from their signature (PNG, JPEG, WebP), whatever was asked for: files are named
 * after what they are.
 *
 * @example
 * ```ts
 * sniffImageFormat(Buffer.from('RIFF....WEBPVP8 ', 'latin1')) // 'webp'
 * ```
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg'
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp'
  return undefined
}

/** File extension for a format (`jpeg` → `.jpg`). */
export const extensionOf = (format: ImageFormat): string => (format === 'jpeg' ? '.jpg' : `.${format}`)
