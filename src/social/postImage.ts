import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Ledger, LedgerEntry } from '../agent/ledger.js'
import { BaseError } from '../errors/BaseError.js'
import { extensionOf, sniffImageFormat } from '../tools/builtin/imageFormat.js'
import type { VeniceClient } from '../venice/createVeniceClient.js'
import type { VeniceModel } from '../venice/schemas.js'

/** Venice lists no image model for the id or trait asked for. */
export class ImageModelError extends BaseError {
  override name = 'ImageModelError' as const
}

/**
 * The image model for an id or a trait (`default`), and its price per image in Diem (`generation`, else the
 * 1K resolution price), from `/models?type=image`.
 *
 * @example
 * ```ts
 * const { id, diemPerImage } = await imageModel(venice, 'default')
 * ```
 */
export async function imageModel(venice: Pick<VeniceClient, 'listModels'>, idOrTrait: string): Promise<{ id: string; diemPerImage: number }> {
  const models = await venice.listModels({ type: 'image' })
  const m =
    models.find((x) => x.id === idOrTrait) ?? models.find((x) => ((x.model_spec as { traits?: string[] } | undefined)?.traits ?? []).includes(idOrTrait))
  if (!m) throw new ImageModelError(`Venice lists no image model or trait "${idOrTrait}".`, { code: 'SOCIAL_NO_IMAGE_MODEL' })
  return { id: m.id, diemPerImage: priceOf(m) }
}

function priceOf(m: VeniceModel): number {
  const p = (m.model_spec as { pricing?: Record<string, unknown> } | undefined)?.pricing ?? {}
  const generation = (p.generation as { diem?: number } | undefined)?.diem
  const oneK = ((p.resolutions as Record<string, { diem?: number }> | undefined) ?? {})['1K']?.diem
  return generation ?? oneK ?? 0
}

/**
 * Generates one image for a post in code (no model in the loop), saves it under `dir` named after what its bytes
 * are, and records its cost in the spend ledger (one line, model = the image model, no tokens).
 *
 * @example
 * ```ts
 * const { path, costDiem } = await generatePostImage({ venice, model: 'default', prompt: 'the lagoon at dawn', dir: '.gondola/outbox/images', ledger, agent: 'social-bot' })
 * ```
 */
export async function generatePostImage(o: {
  venice: Pick<VeniceClient, 'listModels' | 'generateImage' | 'keyHint'>
  model: string
  prompt: string
  dir: string
  ledger: Ledger
  agent: string
  signal?: AbortSignal | undefined
  now?: () => number
}): Promise<{ path: string; costDiem: number; model: string }> {
  const m = await imageModel(o.venice, o.model)
  const res = await o.venice.generateImage({ model: m.id, prompt: o.prompt.slice(0, 1500), width: 1024, height: 1024, format: 'webp' }, { signal: o.signal })
  const b64 = res.images[0]
  if (!b64) throw new ImageModelError('Venice returned no image.', { code: 'SOCIAL_NO_IMAGE' })
  const bytes = Buffer.from(b64, 'base64')
  await mkdir(o.dir, { recursive: true })
  const path = join(o.dir, `${(o.now ?? Date.now)()}-${randomBytes(4).toString('hex')}${extensionOf(sniffImageFormat(bytes) ?? 'webp')}`)
  await writeFile(path, bytes)
  // Priced from /models; charged as Diem (the REST client does not hand back this call's balance headers).
  const entry: LedgerEntry = {
    ts: new Date((o.now ?? Date.now)()).toISOString(),
    agent: o.agent,
    key: o.venice.keyHint,
    model: m.id,
    promptTokens: 0,
    completionTokens: 0,
    costDiem: m.diemPerImage,
    costUsd: 0,
    balanceDiemBefore: undefined,
    balanceDiemAfter: undefined,
    balanceUsdBefore: undefined,
    balanceUsdAfter: undefined,
    requestId: undefined,
    completionId: (res as { id?: string }).id,
  }
  await o.ledger.append(entry)
  return { path, costDiem: m.diemPerImage, model: m.id }
}
