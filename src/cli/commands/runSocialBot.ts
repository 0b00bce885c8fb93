import { hostname } from 'node:os'
import { join } from 'node:path'
import { loadPersona, socialBot } from '../../../agents/social-bot.js'
import type { ModelAgent } from '../../registry/index.js'
import type { AgentDefinition } from '../../agent/defineAgent.js'
import { channelsFromEnv, readCredential, replyToMentions, type Channel } from '../../channels/index.js'
import { CharacterImportError, readCharacterFile, resolveCharacterModel, type Character } from '../../character/index.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { fetchModelCatalog } from '../modelCatalog.js'
import type { Env } from '../../config/env.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { NotFoundError } from '../../venice/errors.js'
import { BaseError } from '../../errors/BaseError.js'
import { describeTopUp, finishInterruptedTopUp } from '../../host/walletTopUp.js'
import { captionLimitOf, createSocialBot, lastTickFile, SocialBotLockedError, type SocialBot, type TickResult } from '../../social/index.js'
import { FileLockedError, lockFile, type FileLock } from '../../util/fileLock.js'
import { publicError } from '../../util/publicError.js'
import type { Wallet } from '../../wallet/createWallet.js'
import { CLIConfigError } from '../CLIError.js'
import { cliHost } from '../cliHost.js'
import { formatNumber } from '../format.js'
import { printJson } from '../output.js'

/** What `gondola run social-bot` was given. */
export type SocialFlags = {
  character?: string | undefined
  persona?: string | undefined
  dryRun: boolean
  budgetDiemPerDay?: number | undefined
  prompt?: string | undefined
  json: boolean
  out: (l: string) => void
}

/** The bot's definition and (for an ElizaOS file) its character, from `--character` / `--persona`. */
async function definitionOf(agent: ModelAgent, f: SocialFlags): Promise<{ definition: AgentDefinition; character?: Character }> {
  // `gondola run` checked the flags (not both; a slug) before opening the wallet.
  if (f.character !== undefined) {
    return { definition: socialBot({ name: agent.name, characterSlug: f.character }) }
  }
  if (f.persona === undefined) return { definition: agent.definition }
  const path = f.persona
  try {
    const { character } = await readCharacterFile(path)
    return { definition: { ...socialBot({ name: agent.name }), persona: undefined }, character }
  } catch (err) {
    // Not an ElizaOS character: a Gondola persona file ({ name, bio, style, examples }) is accepted too.
    if (!(err instanceof CharacterImportError) || err.code !== 'CHARACTER_INVALID') throw err
    try {
      return { definition: socialBot({ name: agent.name, persona: loadPersona(path.startsWith('/') ? path : join(process.cwd(), path)) }) }
    } catch {
      throw err
    }
  }
}

/** The character with its model checked against Venice's catalogue; a warning line on stderr when it was changed or unchecked. */
async function checkedModel(character: Character, env: Env): Promise<Character> {
  if (!character.model) return character
  const resolved = resolveCharacterModel(character.model, await fetchModelCatalog(resolveVeniceBaseUrl(env)))
  if (resolved.warning) process.stderr.write(`gondola: warning: ${resolved.warning}\n`)
  return { ...character, model: resolved.model }
}

/**
 * `gondola run social-bot`: the bot on the channels GONDOLA_CHANNEL lists, one post per run (or per scheduled
 * tick), within the day's Diem budget; Nostr mentions answered in the chat style while it runs. Holds the post
 * journal's lock for its lifetime: a second bot on the same state dir refuses to start.
 */
export async function socialRunner(
  agent: ModelAgent,
  wallet: Wallet,
  env: Env,
  f: SocialFlags,
): Promise<{ run: (n: number, signal: AbortSignal) => Promise<void>; close: () => Promise<void>; lastStartedAt: () => Promise<number | undefined> }> {
  const { definition, character: imported } = await definitionOf(agent, f)
  // A model from another provider (a Claude id, …) would fail every post: checked against /models, mapped to a trait.
  const character = imported && (await checkedModel(imported, env))
  const channels: Channel[] = f.dryRun ? [] : await channelsFromEnv(env)
  const host = await cliHost(definition, wallet, env, { tools: agent.tools })
  const stateDir = join(env.GONDOLA_STATE_DIR, 'social')
  const budgetDiemPerDay = f.budgetDiemPerDay ?? env.GONDOLA_SOCIAL_BUDGET_DIEM_PER_DAY
  // The limit comes from the channels configured, not those opened: a dry run composes what would be published.
  const maxChars = captionLimitOf(env.GONDOLA_CHANNEL)
  const bot = createSocialBot({
    host,
    definition,
    character,
    channels,
    stateDir,
    outboxDir: host.outboxDir,
    ledgerPath: host.ledgerPath,
    budgetDiemPerDay,
    maxChars,
  })
  let lock: FileLock | undefined
  let replies: { stop: () => Promise<void> } | undefined
  const close = async () => {
    await replies?.stop()
    for (const c of channels) (c as { close?: () => void }).close?.()
    host.close()
    await lock?.release()
  }
  try {
    if (f.character !== undefined) {
      // Asked of Venice before anything is composed: a misspelt slug is an error, not a bot in a default voice.
      const venice = host.runner.key(definition.name)?.venice
      await venice?.getCharacter(f.character).catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) throw err
        throw new CLIConfigError(`--character "${f.character}": Venice has no character with that slug.`, {
          metaMessages: ['See: gondola characters list --search <name>'],
          code: 'CLI_UNKNOWN_CHARACTER',
        })
      })
    }
    if (!f.dryRun) {
      lock = await lockSocialJournal(bot.journalPath)
      const finished = await finishInterruptedTopUp({ wallet })
      if (finished) f.out(`⚡ finished an interrupted top-up: ${describeTopUp(finished)}`)
      // A call in flight when the last bot was killed was billed by Venice but never recorded: settled from billing now.
      reportReconciled(definition.name, await bot.reconcile(), f)
    }
    if (channels.some((c) => c.name === 'nostr')) {
      replies = await replyToMentions({
        relays: env.GONDOLA_NOSTR_RELAYS!.split(','),
        secretKeyHex: await readCredential('GONDOLA_NOSTR_SECRET_KEY', env.GONDOLA_NOSTR_SECRET_KEY, env.GONDOLA_NOSTR_SECRET_KEY_FILE),
        statePath: join(stateDir, `${definition.name}.nostr-mentions.json`),
        answer: (event) => bot.answer(event.content),
        onReply: (reply, to) =>
          f.json
            ? printJson({ agent: definition.name, kind: 'reply', channel: 'nostr', to: to.id, id: reply.id, text: reply.content })
            : f.out(`↩ replied on nostr to ${to.id.slice(0, 12)}: ${reply.content}`),
        onError: (err, to) =>
          f.json
            ? printJson({ agent: definition.name, kind: 'reply', channel: 'nostr', to: to.id, error: message(err) })
            : f.out(`↩ no reply to ${to.id.slice(0, 12)}: ${message(err)}`),
      })
    }
  } catch (err) {
    await close()
    throw err
  }
  // Each tick's start is kept, so a restart waits out the rest of the interval instead of posting at once.
  const ticks = lastTickFile(join(stateDir, `${definition.name}.schedule.json`))
  return {
    lastStartedAt: () => ticks.read(),
    async run(n, signal) {
      if (!f.dryRun) await ticks.record(Date.now())
      const r = await bot.tick({ topic: f.prompt, dryRun: f.dryRun, signal })
      report(definition.name, n, r, budgetDiemPerDay, f, env.GONDOLA_CHANNEL)
    },
    close,
  }
}

/** The post journal's lock is a lease: refreshed every 3 s, stale after 15 s without a refresh (whatever the host). */
const SOCIAL_LOCK_LEASE_MS = 15_000

/**
 * Takes the post journal's lock. A live bot on this host (its pid running, started when the lock says) refuses at
 * once; a dead one on this host (pid gone or reused, machine rebooted) is taken over at once; a holder on another
 * host (a container started again under a new name) is waited for until its lease runs out.
 */
async function lockSocialJournal(journalPath: string): Promise<FileLock> {
  const take = (timeoutMs: number) => lockFile({ path: journalPath, timeoutMs, staleMs: SOCIAL_LOCK_LEASE_MS })
  const refuse = (err: FileLockedError) => {
    const who = err.holder ? `process ${err.holder.pid} on ${err.holder.hostname} (since ${err.holder.startedAt})` : 'another process'
    return new SocialBotLockedError(`Another social bot is running on this state dir: ${who} holds ${err.lockPath}.`, {
      metaMessages: ['Stop it first, or give this bot its own GONDOLA_STATE_DIR.'],
      code: 'SOCIAL_LOCKED',
    })
  }
  try {
    return await take(2_000)
  } catch (err) {
    if (!(err instanceof FileLockedError)) throw err
    if (!err.holder || err.holder.hostname === hostname()) throw refuse(err)
  }
  return take(SOCIAL_LOCK_LEASE_MS + 5_000).catch((err: unknown) => {
    throw err instanceof FileLockedError ? refuse(err) : err
  })
}

/** What the start-up settlement did: one line per call a kill left in flight, and why any stays open. */
function reportReconciled(agent: string, r: Awaited<ReturnType<SocialBot['reconcile']>>, f: SocialFlags): void {
  for (const { entry } of r.settled) {
    const cost = entry.costDiem + entry.costUsd
    if (f.json) printJson({ agent, kind: 'reconciled', ts: entry.ts, model: entry.model, billedRequestId: entry.completionId, costDiem: cost })
    else f.out(`${agent}: recorded a call the last run left in flight (${entry.model}, ${formatNumber(cost, { minFraction: 6 })} Diem, from Venice's billing)`)
  }
  if (r.pending.length) {
    const why = r.error ? `billing could not be read: ${publicError(r.error).message}` : 'not billed yet'
    process.stderr.write(`gondola: ${r.pending.length} call(s) the last run left in flight are counted at their estimate (${why}).\n`)
  }
}

function message(err: unknown): string {
  return err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)
}

function report(agent: string, n: number, r: TickResult, budget: number | undefined, f: SocialFlags, channelNames: readonly string[]): void {
  // A dry run shows, for each configured channel, exactly the text that would be posted there.
  const preview = r.status === 'dry-run' ? channelNames.map((channel) => ({ channel, text: r.draft.text })) : undefined
  if (f.json) {
    // The model runs this tick made (the caption; none when a pending draft was finished or the budget was spent).
    const runs = r.runs.map((x) => ({
      status: x.status,
      model: x.model,
      steps: x.steps,
      toolCalls: [],
      costDiem: x.costDiem,
      costUsd: x.costUsd,
      promptTokens: x.promptTokens,
      completionTokens: x.completionTokens,
    }))
    const base = { agent, kind: 'social', n, status: r.status, spentTodayDiem: r.spentToday, budgetDiemPerDay: budget ?? null, runs }
    if (r.status === 'budget') return printJson({ ...base, resumesAt: r.resumesAt })
    return printJson({
      ...base,
      key: r.draft.key,
      text: r.draft.text,
      image: r.draft.image ?? null,
      alt: r.draft.alt ?? null,
      costDiem: r.draft.costDiem,
      ...('published' in r && { published: r.published }),
      ...(preview && { wouldPublish: preview }),
    })
  }
  const spent = `${formatNumber(r.spentToday, { minFraction: 6 })} Diem today${budget !== undefined ? ` of ${budget}` : ''}`
  if (r.status === 'budget') return f.out(`${agent} #${n}: daily budget reached (${spent}); next post after ${r.resumesAt}.`)
  f.out(
    `${agent} #${n}: ${r.status === 'dry-run' ? 'dry run (nothing published)' : r.status === 'resumed' ? 'published the post a crash left pending' : 'posted'}`,
  )
  if (preview) for (const p of preview) f.out(`would post to ${p.channel}: ${p.text}`)
  else f.out(`text: ${r.draft.text}`)
  if (r.draft.image) f.out(`image: ${r.draft.image} (alt: ${r.draft.alt ?? ''})`)
  if ('published' in r) for (const p of r.published) f.out(`→ ${p.channel}: ${p.url ?? p.id}`)
  f.out(`cost: ${formatNumber(r.draft.costDiem, { minFraction: 6 })} Diem (text + image) · ${spent}`)
}
