import type { AnyTool } from '../tools/defineTool.js'
import type { McpContext } from './context.js'
import { keyTools } from './tools/keyTools.js'
import { moneyTools } from './tools/moneyTools.js'
import { veniceTools } from './tools/veniceTools.js'
import { ledgerTools, walletReadTools } from './tools/walletTools.js'

/**
 * Every tool the server offers, in order: wallet reads, money (plan → confirm), keys, Venice, ledger. The same
 * `defineTool` objects the agent loop and the AI SDK adapter take: written once, served everywhere.
 *
 * @example
 * ```ts
 * mcpTools(ctx).map((t) => t.name) // ['get_wallet_balances', 'get_runway', 'quote_swap', 'swap_eth_for_vvv', …]
 * ```
 */
export function mcpTools(ctx: McpContext): AnyTool[] {
  return [...walletReadTools(ctx), ...moneyTools(ctx), ...keyTools(ctx), ...veniceTools(ctx), ...ledgerTools(ctx)]
}
