import { createHash } from 'node:crypto'
import { captionLimitOf, fitCaption } from './fitCaption.js'
import { join } from 'node:path'
import type { AgentDefinition } from '../agent/defineAgent.js'
import { readLedger, type LedgerEntry } from '../agent/ledger.js'
import type { RunResult } from '../agent/runAgent.js'
import { publishOnce, type Channel, type Published } from '../channels/index.js'
import { composePostSystem, composeReplySystem, type Character } from '../character/index.js'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import type { AgentHost } from '../host/createAgentHost.js'
import { seededRandom } from '../util/seededRandom.js'
import { spentTodayIn, utcDayStart } from './budget.js'
import { draftStore, type Draft } from './drafts.js'
import { inflightStore, type InflightMarker } from './inflight.js'
import { reconcileInflight, type ReconcileResult } from './reconcile.js'
import type { BillingEntry } from '../venice/schemas.js'
import { generatePostImage, imageModel } from './postImage.js'

/** A compose step that produced no text, or a post that failed on some channel (the draft stays pending). */
export class SocialBotError extends BaseError {
  override name = 'SocialBotError' as const
}

/** Another bot holds this state dir's post journal: two bots on one journal could post the same draft twice. */
export class SocialBotLockedError extends BaseError {
  override name = 'SocialBotLockedError' as const
  override exitCode = ExitCode.error
}

/** The day's Diem budget is spent: nothing more is composed or answered until 00:00 UTC (`retryAt`, ms). */
export class DailyBudgetError extends BaseError {
  override name = 'DailyBudgetError' as const
  override exitCode = ExitCode.funds
  /** When the budget renews (the next 00:00 UTC): a mention put off is answered then. */
  retryAt = 0
}

/** What one tick did. `budget`: skipped, the day's budget is spent (`resumesAt` = next 00:00 UTC). */
export type TickResult =
  | { status: 'posted' | 'resumed'; draft: Draft; published: (Published & { channel: string })[]; spentToday: number; runs: RunResult[] }
  | { status: 'dry-run'; draft: Draft; spentToday: number; runs: RunResult[] }
  | { status: 'budget'; spentToday: number; budgetDiemPerDay: number; resumesAt: string; runs: RunResult[] }

export type SocialBotOptions = {
  host: AgentHost
  /** The agent (its name picks the key; `characterSlug` for a Venice character; `model`, `system`). */
  definition: AgentDefinition
  /** An imported ElizaOS character: posts and replies are composed from it (seeded samples, post/chat style). */
  character?: Character | undefined
  /** Where posts go, in order (default: none — `tick` then only composes). */
  channels: Channel[]
  /** Folder for the drafts and the post journal (`<agent>.drafts.json`, `<agent>.journal.json`). */
  stateDir: string
  /** Images are saved under `<outboxDir>/images`. */
  outboxDir: string
  /** The spend ledger file the host writes (the day's spend is read back from it); else the host's in-memory ledger. */
  ledgerPath?: string | undefined
  imageModel?: string | undefined
  /** No image per post. */
  noImage?: boolean | undefined
  budgetDiemPerDay?: number | undefined
  /**
   * The account's billing rows since a time (ms): how calls a killed bot left in flight are settled (default: the
   * host's `readBilling`, through its ADMIN key). Without it they are counted at their estimate until they age out.
   */
  readBilling?: ((since: number) => Promise<BillingEntry[]>) | undefined
  /** Longest caption; default 300 (Bluesky's limit) when a bluesky channel is used, else 1000. */
  maxChars?: number | undefined
  now?: (() => number) | undefined
}

/** `: <the model call's error>` in one line, so a failed step names its cause (a model Venice does not serve, …). */
const causeOf = (run: RunResult): string => {
  const e = run.error as unknown
  const text = e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : typeof e === 'string' ? e : ''
  return text ? `: ${text.split('\n')[0]}` : ''
}

const seedOf = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0)

/**
 * A character-driven social bot: the model composes (a caption in the character's voice), code does the rest —
 * the image is generated in code, the exact composed text is saved as a draft (atomic, 0600) and published through
 * `publishOnce` on every channel, so quotes and wording reach each channel verbatim and a restart after a crash
 * publishes the saved draft instead of composing a second post. Every model call and image lands in the spend
 * ledger; before composing, the day's spend (read back from the ledger file, UTC day = Venice's Diem epoch) plus
 * the next post's estimate (image price + the last caption's cost) is checked against `budgetDiemPerDay`.
 *
 * @example
 * ```ts
 * const bot = createSocialBot({ host, definition: socialBot(), channels: [outboxChannel({ dir })], stateDir: '.gondola/social', outboxDir: '.gondola/outbox', ledgerPath: '.gondola/ledger.jsonl', budgetDiemPerDay: 0.5 })
 * const r = await bot.tick({ topic: 'the lagoon at dawn' })
 * ```
 */
export function createSocialBot(o: SocialBotOptions) {
  const agent = o.definition.name
  const now = o.now ?? Date.now
  const drafts = draftStore(join(o.stateDir, `${agent}.drafts.json`))
  const journalPath = join(o.stateDir, `${agent}.journal.json`)
  const maxChars = o.maxChars ?? captionLimitOf(o.channels.map((c) => c.name))
  const venice = () => {
    const services = o.host.runner.key(agent)
    if (!services)
      throw new SocialBotError(`No INFERENCE key is kept for agent "${agent}".`, {
        metaMessages: [`Run: gondola provision --agents ${agent}`],
        code: 'SOCIAL_NO_KEY',
        exitCode: ExitCode.config,
      })
    return services.venice
  }
  let imagePrice: Promise<number> | undefined
  /** What the last reply cost (Diem + USD): the next reply's estimate. */
  let lastReplyCost: number | undefined
  const nextImageCost = () => (o.noImage ? Promise.resolve(0) : (imagePrice ??= imageModel(venice(), o.imageModel ?? 'default').then((m) => m.diemPerImage)))

  // Every paid call is marked before it is sent and unmarked once its ledger line is on disk (`inflight.ts`).
  const inflight = inflightStore(join(o.stateDir, `${agent}.inflight.json`), now)
  const live = new Set<string>()
  const readBilling = o.readBilling ?? o.host.readBilling
  /** The ledger's lines since a time: the whole file's (every agent of the state dir spends the same account), else this agent's. */
  const linesSince = async (since: number): Promise<readonly LedgerEntry[]> => {
    await o.host.ledger.flush()
    if (!o.ledgerPath) return o.host.readLedger({ agent, since })
    return (await readLedger(o.ledgerPath)).filter((e) => Date.parse(e.ts) >= since)
  }
  const track = async <T>(marker: Omit<InflightMarker, 'id' | 'at'> | undefined, call: () => Promise<T>): Promise<T> => {
    const m = marker && (await inflight.add(marker))
    if (m) live.add(m.id)
    try {
      return await call()
    } finally {
      if (m) {
        await o.host.ledger.flush()
        await inflight.remove(m.id)
        live.delete(m.id)
      }
    }
  }
  // One pass at a time: a reply's budget check and a tick's can run together, and two passes reading the ledger
  // before either wrote would both record the same billed call.
  let settling: Promise<unknown> = Promise.resolve()
  /** Settles the calls a killed run left in flight from Venice's billing (once each); what stays open is counted at its estimate. */
  const reconcile = (): Promise<ReconcileResult & { error?: unknown }> => {
    const pass = settling.then(settleOnce)
    settling = pass.catch(() => {})
    return pass
  }
  const settleOnce = async (): Promise<ReconcileResult & { error?: unknown }> => {
    const record = async (e: LedgerEntry) => {
      await o.host.ledger.append(e)
      await o.host.ledger.flush()
    }
    try {
      return await reconcileInflight({ agent, inflight, readBilling, recorded: linesSince, record, now, live })
    } catch (error) {
      // Billing unreachable: every marker left stays open and is counted at its estimate.
      const pending = (await inflight.load()).filter((m) => !live.has(m.id))
      return { settled: [], dropped: [], pending, error }
    }
  }

  /** The day's spend: the ledger's lines, plus the estimate of each call a kill left unsettled (`settle`: try billing first). */
  const spent = async (settle = true) => {
    const open = settle ? (await reconcile()).pending : (await inflight.load()).filter((m) => !live.has(m.id))
    const since = utcDayStart(now())
    const unsettled = open.reduce((s, m) => s + (m.at >= since ? m.estimateDiem : 0), 0)
    // The host reads back from where its ledger is kept (its file, or Postgres in fleet mode): restarts count.
    return spentTodayIn(await linesSince(since), agent, now()) + unsettled
  }

  async function compose(topic: string | undefined, signal: AbortSignal | undefined, dryRun: boolean): Promise<{ draft: Draft; runs: RunResult[] }> {
    const at = now()
    const key = `${agent}:${new Date(at).toISOString()}`
    const seed = seedOf(key)
    const about =
      topic ??
      (o.character?.topics.length ? o.character.topics[Math.floor(seededRandom(seed)() * o.character.topics.length)]! : (o.definition.prompt ?? 'the day'))
    const system = o.character ? composePostSystem(o.character, { seed }) : o.definition.system
    const def: AgentDefinition = {
      ...o.definition,
      system,
      tools: [],
      ...(o.character && { persona: undefined, model: o.character.model ?? o.definition.model }),
    }
    // A dry run holds no lock and leaves no marker (another bot may own the marker file).
    const estimate = (await drafts.load()).at(-1)?.captionCostDiem ?? 0
    const run = await track(dryRun ? undefined : { kind: 'chat', model: def.model ?? 'default', estimateDiem: estimate }, () =>
      o.host.run(def, { prompt: `Write one short post about ${about} in your voice, at most ${maxChars} characters.`, maxSteps: 1, signal }),
    )
    const caption = run.output?.trim()
    if (run.status !== 'completed' || !caption)
      throw new SocialBotError(`The caption step ended with status ${run.status}${causeOf(run)}.`, { cause: run.error, code: 'SOCIAL_NO_CAPTION' })
    const text = fitCaption(caption, maxChars)
    const captionCostDiem = run.costDiem + run.costUsd
    const image = o.noImage
      ? undefined
      : await track(dryRun ? undefined : { kind: 'image', model: o.imageModel ?? 'default', estimateDiem: await nextImageCost() }, () =>
          generatePostImage({
            venice: venice(),
            model: o.imageModel ?? 'default',
            prompt: `${about}. ${text}`,
            dir: join(o.outboxDir, 'images'),
            ledger: o.host.ledger,
            agent,
            signal,
            now,
          }),
        )
    const draft: Draft = {
      key,
      topic: about,
      text,
      ...(image && { image: image.path, alt: `Illustration: ${about}` }),
      costDiem: captionCostDiem + (image?.costDiem ?? 0),
      captionCostDiem,
      composedAt: new Date(at).toISOString(),
      done: false,
      published: [],
    }
    return { draft, runs: [run] }
  }

  async function publish(all: Draft[], draft: Draft): Promise<(Published & { channel: string })[]> {
    const failures: string[] = []
    for (const channel of o.channels) {
      if (draft.published.some((p) => p.channel === channel.name)) continue
      try {
        const r = await publishOnce({ channel, journalPath, key: draft.key, post: { text: draft.text, image: draft.image, alt: draft.alt, agent }, now })
        draft.published.push({ channel: channel.name, id: r.id, ...(r.url && { url: r.url }) })
        await drafts.save(all)
      } catch (err) {
        failures.push(`${channel.name}: ${err instanceof BaseError ? err.shortMessage : (err as Error).message}`)
      }
    }
    if (failures.length)
      throw new SocialBotError(`The post was not published everywhere (${failures.join('; ')}); it stays pending and is retried next time.`, {
        code: 'SOCIAL_PUBLISH_FAILED',
        exitCode: ExitCode.network,
      })
    draft.done = true
    await drafts.save(all)
    return draft.published
  }

  return {
    journalPath,
    draftsPath: drafts.path,
    inflightPath: inflight.path,
    /** Diem (+ USD) spent by this agent since 00:00 UTC: the ledger, and any call a kill left in flight (settled from billing first). */
    spentToday: () => spent(),
    /**
     * Settles the paid calls a killed bot left in flight from Venice's billing ledger, each recorded in the spend
     * ledger once. Run on start; `tick` and `answer` also settle what is left before checking the budget.
     */
    reconcile,
    /**
     * One scheduled step: publishes a pending draft (left by a crash) if there is one; else, within the day's
     * budget, composes a post and publishes it. `dryRun` composes and returns it; nothing is saved or published.
     */
    async tick(t: { topic?: string | undefined; dryRun?: boolean | undefined; signal?: AbortSignal | undefined } = {}): Promise<TickResult> {
      const all = await drafts.load()
      const pending = t.dryRun ? undefined : all.find((d) => !d.done)
      if (pending) return { status: 'resumed', draft: pending, published: await publish(all, pending), spentToday: await spent(), runs: [] }
      const before = await spent(!t.dryRun)
      const estimate = (await nextImageCost()) + (all.at(-1)?.captionCostDiem ?? 0)
      if (o.budgetDiemPerDay !== undefined && before + estimate > o.budgetDiemPerDay) {
        return {
          status: 'budget',
          spentToday: before,
          budgetDiemPerDay: o.budgetDiemPerDay,
          resumesAt: new Date(utcDayStart(now()) + 86_400_000).toISOString(),
          runs: [],
        }
      }
      const { draft, runs } = await compose(t.topic, t.signal, t.dryRun === true)
      if (t.dryRun) return { status: 'dry-run', draft, spentToday: await spent(false), runs }
      // The ledger lines of the caption and the image reach the disk before the draft does: once the draft is saved
      // the post may be published, and a bot killed after that must still find what it spent (the day's budget).
      await o.host.ledger.flush()
      all.push(draft)
      await drafts.save(all)
      return { status: 'posted', draft, published: await publish(all, draft), spentToday: await spent(), runs }
    },
    /** A reply to a mention, in the chat style (within the day's budget; DailyBudgetError when it is spent). */
    async answer(message: string, signal?: AbortSignal): Promise<string> {
      // A reply is estimated like a caption (the last reply's cost, else the last caption's): it must fit whole.
      const estimate = lastReplyCost ?? (await drafts.load()).at(-1)?.captionCostDiem ?? 0
      if (o.budgetDiemPerDay !== undefined && (await spent()) + estimate > o.budgetDiemPerDay) {
        const err = new DailyBudgetError("The day's Diem budget is spent: the mention is answered after 00:00 UTC.", { code: 'SOCIAL_BUDGET' })
        err.retryAt = utcDayStart(now()) + 86_400_000
        throw err
      }
      const system = o.character
        ? composeReplySystem(o.character, { seed: seedOf(message) })
        : `${o.definition.system ?? ''}\n\nReply to the message in one short answer, in your voice.`.trim()
      const def: AgentDefinition = {
        ...o.definition,
        system,
        tools: [],
        ...(o.character && { persona: undefined, model: o.character.model ?? o.definition.model }),
      }
      const run = await track({ kind: 'chat', model: def.model ?? 'default', estimateDiem: estimate }, () =>
        o.host.run(def, { prompt: message.slice(0, 2000), maxSteps: 1, signal }),
      )
      lastReplyCost = run.costDiem + run.costUsd
      const text = run.output?.trim()
      if (run.status !== 'completed' || !text)
        throw new SocialBotError(`The reply step ended with status ${run.status}${causeOf(run)}.`, { cause: run.error, code: 'SOCIAL_NO_REPLY' })
      return fitCaption(text, maxChars)
    },
  }
}

/** A social bot as returned by `createSocialBot`. */
export type SocialBot = ReturnType<typeof createSocialBot>
