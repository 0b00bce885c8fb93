import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { VeniceClient } from '../../venice/createVeniceClient.js'
import { defineTool } from '../defineTool.js'
import { extensionOf, sniffImageFormat } from './imageFormat.js'

/**
 * `generate_image`: Venice image generation; images are saved under `dir` and the model gets the paths
 * (never the base64, which would flood its context).
 *
 * @example
 * ```ts
 * const tool = generateImageTool({ venice, model: 'venice-sd35', dir: '.gondola/outbox/images' })
 * ```
 */
export function generateImageTool(deps: { venice: Pick<VeniceClient, 'generateImage'>; model: string; dir: string }) {
  return defineTool({
    name: 'generate_image',
    description: 'Generates an image from a text prompt and saves it; returns the file path to attach to a post.',
    schema: z.object({
      prompt: z.string().min(1).max(1500).describe('What the image should show.'),
      width: z.number().int().min(256).max(1280).optional().describe('Width in pixels (default 1024).'),
      height: z.number().int().min(256).max(1280).optional().describe('Height in pixels (default 1024).'),
    }),
    handler: async ({ prompt, width, height }, ctx) => {
      const res = await deps.venice.generateImage(
        { model: deps.model, prompt, width: width ?? 1024, height: height ?? 1024, format: 'webp' },
        { signal: ctx.signal },
      )
      await mkdir(deps.dir, { recursive: true })
      const paths: string[] = []
      for (const b64 of res.images) {
        const bytes = Buffer.from(b64, 'base64')
        // Named after what the bytes are, not what was asked for.
        const path = join(deps.dir, `${Date.now()}-${randomBytes(4).toString('hex')}${extensionOf(sniffImageFormat(bytes) ?? 'webp')}`)
        await writeFile(path, bytes)
        paths.push(path)
      }
      return { images: paths }
    },
  })
}

/**
 * `speak`: Venice text-to-speech; the audio is saved under `dir` and the model gets the path.
 *
 * @example
 * ```ts
 * const tool = speechTool({ venice, dir: '.gondola/outbox/audio' })
 * ```
 */
export function speechTool(deps: { venice: Pick<VeniceClient, 'speech'>; dir: string; model?: string; voice?: string }) {
  return defineTool({
    name: 'speak',
    description: 'Turns text into spoken audio (mp3) and saves it; returns the file path.',
    schema: z.object({ text: z.string().min(1).max(4096).describe('The words to speak.') }),
    handler: async ({ text }, ctx) => {
      const audio = await deps.venice.speech(
        { input: text, response_format: 'mp3', ...(deps.model ? { model: deps.model } : {}), ...(deps.voice ? { voice: deps.voice } : {}) },
        { signal: ctx.signal },
      )
      await mkdir(deps.dir, { recursive: true })
      const path = join(deps.dir, `${Date.now()}-${randomBytes(4).toString('hex')}.mp3`)
      await writeFile(path, audio)
      return { audio: path, bytes: audio.byteLength }
    },
  })
}
