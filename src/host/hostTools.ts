import { createHash } from 'node:crypto'
import { appendFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { formatEther } from 'viem'
import { z } from 'zod'
import type { BaseError } from '../errors/BaseError.js'
import type { KeyServices } from '../agent/runner.js'
import { publishOnce, type Channel } from '../channels/index.js'
import { autopilotTools, type AutopilotProvider } from '../autopilot/tools.js'
import { defineTool, type AnyTool } from '../tools/defineTool.js'
import { generateImageTool, speechTool } from '../tools/builtin/media.js'
import { requestTopUpTool } from '../tools/builtin/treasury.js'
import { runwayTool, walletBalancesTool } from '../tools/builtin/wallet.js'
import { claimAndStake } from '../wallet/actions/claimAndStake.js'
import { ensureDiem } from '../wallet/actions/ensureDiem.js'
import { getBalances } from '../wallet/actions/getBalances.js'
import { formatShort, parseAmount } from '../wallet/amounts.js'
import { InsufficientFundsError, NothingToDoError, PolicyViolationError } from '../wallet/errors.js'
import type { Wallet } from '../wallet/createWallet.js'
import { requestTopUp } from './walletTopUp.js'
import type { TopUpResult } from '../agent/funding.js'
import type { FundingPolicy } from '../agent/fundingPolicy.js'

/** What a tool factory gets: the wallet (reads and policy-bound top-ups), the agent's key services, where to write. */
export type ToolDeps = {
  wallet: Wallet
  services: KeyServices
  outboxDir: string
  /** The host's funding policy, whole: the default amount, DIEM, and the window (a model's request inside it is refused, as an automatic one would be). */
  funding: FundingPolicy
  imageModel: string
  /** Told when a top-up the model requested failed (the host puts it in the run result). */
  onFundingFailure?: ((error: BaseError) => void) | undefined
  /** The configured Diem autopilot (targets from GONDOLA_AUTOPILOT_*), when the host has one. */
  autopilot?: AutopilotProvider | undefined
  /** Fleet agent workers: top-ups are asked of the treasury (a job), never signed here. */
  remoteTopUp?: RemoteTopUp | undefined
}

/** A top-up done elsewhere (the fleet's treasury), under that signer's spend policy and funding window. */
export type RemoteTopUp = (p: { eth: bigint; reason: string; agent?: string | undefined }) => Promise<TopUpResult>

/** Builds one tool for one agent. Registries map tool names (as used in `agents/`) to factories. */
export type ToolFactory = (deps: ToolDeps) => AnyTool

/**
 * `post_to_outbox`: the social bot's publishing channel. Without `channel`, one JSONL line per post in
 * `<outboxDir>/outbox.jsonl` (as before). With a `channel` (webhook, nostr, …), the post goes through
 * `publishOnce`, journalled in `journalPath` under a key derived from the agent and the post's content, so the
 * same post retried after a crash is never published twice. The caption is published verbatim.
 *
 * @example
 * ```ts
 * const tool = outboxTool({ outboxDir: '.gondola/outbox' })
 * const viaNostr = outboxTool({ outboxDir: '.gondola/outbox', channel: nostrChannel({ relays, secretKeyHex }), journalPath: '.gondola/posts.json' })
 * ```
 */
export function outboxTool(deps: { outboxDir: string; now?: () => number; channel?: Channel | undefined; journalPath?: string | undefined }) {
  return defineTool({
    name: 'post_to_outbox',
    description: 'Publishes a post (text, optionally with an image path from generate_image) to the outbox.',
    schema: z.object({
      text: z.string().min(1).max(1000).describe('The post text, in your voice.'),
      image: z.string().optional().describe('Path of an image returned by generate_image, to attach.'),
    }),
    handler: async ({ text, image }, ctx) => {
      if (deps.channel) {
        const key = `${ctx.agent}:${createHash('sha256')
          .update(JSON.stringify([text, image ?? null]))
          .digest('hex')
          .slice(0, 32)}`
        const published = await publishOnce({
          channel: deps.channel,
          journalPath: deps.journalPath ?? join(deps.outboxDir, 'posts.journal.json'),
          key,
          post: { text, image, agent: ctx.agent },
          now: deps.now,
        })
        return { posted: true, channel: deps.channel.name, id: published.id, ...(published.resumed && { alreadyPosted: true }) }
      }
      await mkdir(deps.outboxDir, { recursive: true })
      const post = { at: new Date((deps.now ?? Date.now)()).toISOString(), agent: ctx.agent, text, ...(image ? { image } : {}) }
      await appendFile(join(deps.outboxDir, 'outbox.jsonl'), `${JSON.stringify(post)}\n`, { mode: 0o644 })
      return { posted: true, at: post.at }
    },
  })
}

/** The most staked DIEM a model may ask `hold_staked_diem` for (each staked DIEM locks sVVV; $1 of compute per day). */
export const MAX_MODEL_STAKED_DIEM = 10

/**
 * `claim_and_restake` and `hold_staked_diem`: the diem-autopilot's treasury tools. The model only asks;
 * the wallet actions send under the spend policy, and a refusal or "nothing to do" comes back in words.
 *
 * @example
 * ```ts
 * const [claimTool, holdTool] = diemTools({ wallet })
 * ```
 */
export function diemTools(deps: { wallet: Wallet; maxStakedDiem?: number | undefined }) {
  const max = deps.maxStakedDiem ?? MAX_MODEL_STAKED_DIEM
  const claimTool = defineTool({
    name: 'claim_and_restake',
    description: 'Claims the pending VVV staking rewards and stakes them in one transaction (more sVVV, a bigger share of the daily Diem pool).',
    schema: z.object({}),
    handler: () =>
      inWords(async () => {
        const r = await claimAndStake(deps.wallet)
        return `Restaked ${formatShort(r.amount)} VVV of rewards (tx ${r.hash ?? 'planned'}).`
      }),
  })
  const holdTool = defineTool({
    name: 'hold_staked_diem',
    description: `Brings the staked DIEM up to a target (1 staked DIEM = $1 of Venice compute per day), minting DIEM from unlocked sVVV only for what is missing. At most ${max}.`,
    schema: z.object({ targetStakedDiem: z.number().positive().max(max).describe(`Staked DIEM to hold, e.g. 0.5 (at most ${max}).`) }),
    handler: ({ targetStakedDiem }) =>
      inWords(async () => {
        const r = await ensureDiem(deps.wallet, { targetStakedDiem: parseAmount(String(targetStakedDiem), { symbol: 'DIEM', field: 'targetStakedDiem' }) })
        if (r.status === 'already') return `Already holding at least ${targetStakedDiem} staked DIEM: nothing sent.`
        return `Staked ${formatShort(r.staked)} DIEM${r.mint ? ` (minted ${formatShort(r.mint.diemOut)} DIEM by locking ${formatShort(r.mint.svvvLocked)} sVVV)` : ''} in ${r.hashes.length} tx.`
      }),
  })
  return [claimTool, holdTool] as const
}

/** Expected refusals (policy, nothing to do, not enough sVVV) become text for the model; anything else throws. */
async function inWords(action: () => Promise<string>): Promise<string> {
  try {
    return await action()
  } catch (err) {
    if (err instanceof PolicyViolationError) return `Refused by policy: ${[err.shortMessage, ...err.metaMessages].join(' ')}`
    if (err instanceof NothingToDoError || err instanceof InsufficientFundsError) return `Nothing sent: ${[err.shortMessage, ...err.metaMessages].join(' ')}`
    throw err
  }
}

/** The built-in tools every host offers, by the names agent definitions use. */
export const builtinToolFactories: Record<string, ToolFactory> = {
  get_wallet_balances: ({ wallet }) =>
    walletBalancesTool({
      getBalances: async () => {
        const b = await getBalances(wallet)
        return {
          eth: formatEther(b.eth),
          vvv: formatEther(b.vvv),
          svvv: formatEther(b.svvv.total),
          svvvLockedForDiem: formatEther(b.svvv.locked),
          pendingRewardsVvv: formatEther(b.pendingRewards),
          diemStaked: formatEther(b.diem.staked),
          diemLiquid: formatEther(b.diem.liquid),
        }
      },
    }),
  get_runway: ({ services }) => runwayTool({ monitor: services.monitor, refresh: services.refreshStatus }),
  request_top_up: ({ wallet, funding, onFundingFailure, remoteTopUp }) =>
    requestTopUpTool({
      onFailure: onFundingFailure,
      // The model may suggest an amount; the wallet's spend policy (caps, allowlist, slippage) decides.
      requestTopUp: ({ agent, reason, ethAmount }) => {
        const eth = ethAmount ? parseAmount(ethAmount, { symbol: 'ETH', field: 'ethAmount' }) : funding.ethPerTopUp
        if (remoteTopUp) return remoteTopUp({ eth, reason: `requested by ${agent}: ${reason}`, agent })
        return requestTopUp({ wallet, policy: funding }, { eth, reason: `requested by ${agent}: ${reason}` })
      },
    }),
  generate_image: ({ services, outboxDir, imageModel }) => generateImageTool({ venice: services.venice, model: imageModel, dir: join(outboxDir, 'images') }),
  speak: ({ services, outboxDir }) => speechTool({ venice: services.venice, dir: join(outboxDir, 'audio') }),
  post_to_outbox: ({ outboxDir }) => outboxTool({ outboxDir }),
  claim_and_restake: ({ wallet }) => diemTools({ wallet })[0],
  hold_staked_diem: ({ wallet }) => diemTools({ wallet })[1],
  autopilot_plan: ({ autopilot }) => autopilotTools(autopilot)[0],
  autopilot_apply: ({ autopilot }) => autopilotTools(autopilot)[1],
}
