import { appendFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { formatEther } from 'viem'
import { z } from 'zod'
import type { KeyServices } from '../agent/runner.js'
import { defineTool, type AnyTool } from '../tools/defineTool.js'
import { generateImageTool, speechTool } from '../tools/builtin/media.js'
import { requestTopUpTool } from '../tools/builtin/treasury.js'
import { runwayTool, walletBalancesTool } from '../tools/builtin/wallet.js'
import { getBalances } from '../wallet/actions/getBalances.js'
import { parseAmount } from '../wallet/amounts.js'
import type { Wallet } from '../wallet/createWallet.js'
import { requestTopUp } from './walletTopUp.js'

/** What a tool factory gets: the wallet (reads and policy-bound top-ups), the agent's key services, where to write. */
export type ToolDeps = {
  wallet: Wallet
  services: KeyServices
  outboxDir: string
  ethPerTopUp: bigint
  mintDiem: boolean
  imageModel: string
}

/** Builds one tool for one agent. Registries map tool names (as used in `agents/`) to factories. */
export type ToolFactory = (deps: ToolDeps) => AnyTool

/**
 * `post_to_outbox`: the social bot's publishing channel — one JSONL line per post in `<outboxDir>/outbox.jsonl`.
 *
 * @example
 * ```ts
 * const tool = outboxTool({ outboxDir: '.gondola/outbox' })
 * ```
 */
export function outboxTool(deps: { outboxDir: string; now?: () => number }) {
  return defineTool({
    name: 'post_to_outbox',
    description: 'Publishes a post (text, optionally with an image path from generate_image) to the outbox.',
    schema: z.object({
      text: z.string().min(1).max(1000).describe('The post text, in your voice.'),
      image: z.string().optional().describe('Path of an image returned by generate_image, to attach.'),
    }),
    handler: async ({ text, image }, ctx) => {
      await mkdir(deps.outboxDir, { recursive: true })
      const post = { at: new Date((deps.now ?? Date.now)()).toISOString(), agent: ctx.agent, text, ...(image ? { image } : {}) }
      await appendFile(join(deps.outboxDir, 'outbox.jsonl'), `${JSON.stringify(post)}\n`, { mode: 0o644 })
      return { posted: true, at: post.at }
    },
  })
}

/** The built-in tools every host offers, by the names agent definitions use. */
export const builtinToolFactories: Record<string, ToolFactory> = {
  get_wallet_balances: ({ wallet }) =>
    walletBalancesTool({
      getBalances: async () => {
        const b = await getBalances(wallet)
        return { eth: formatEther(b.eth), vvv: formatEther(b.vvv), svvv: formatEther(b.svvv.total), svvvLockedForDiem: formatEther(b.svvv.locked), pendingRewardsVvv: formatEther(b.pendingRewards), diemStaked: formatEther(b.diem.staked), diemLiquid: formatEther(b.diem.liquid) }
      },
    }),
  get_runway: ({ services }) => runwayTool({ monitor: services.monitor }),
  request_top_up: ({ wallet, ethPerTopUp, mintDiem }) =>
    requestTopUpTool({
      // The model may suggest an amount; the wallet's spend policy (caps, allowlist, slippage) decides.
      requestTopUp: ({ agent, reason, ethAmount }) =>
        requestTopUp({ wallet, mintDiem }, { eth: ethAmount ? parseAmount(ethAmount, { symbol: 'ETH', field: 'ethAmount' }) : ethPerTopUp, reason: `requested by ${agent}: ${reason}` }),
    }),
  generate_image: ({ services, outboxDir, imageModel }) => generateImageTool({ venice: services.venice, model: imageModel, dir: join(outboxDir, 'images') }),
  speak: ({ services, outboxDir }) => speechTool({ venice: services.venice, dir: join(outboxDir, 'audio') }),
  post_to_outbox: ({ outboxDir }) => outboxTool({ outboxDir }),
}
