import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'

const read = (openWorld: boolean): ToolAnnotations => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: openWorld })
/** Plans a money action; with an elicitation-capable client the same call sends it after the user's yes. */
const money: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true }
/** Spends Diem on the server's key and appends to the ledger; nothing is destroyed. */
const spend: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true }

/**
 * MCP tool annotations (hints for clients: which tools only read, which can spend or destroy), one entry per tool
 * the server serves. `registerTool` refuses a tool without an entry, so a new tool cannot be served unannotated.
 *
 * @example
 * ```ts
 * TOOL_ANNOTATIONS.get_wallet_balances // { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
 * ```
 */
export const TOOL_ANNOTATIONS: Readonly<Record<string, ToolAnnotations>> = {
  get_wallet_balances: { ...read(true), title: 'Wallet balances' },
  get_runway: { ...read(true), title: 'Venice runway' },
  quote_swap: { ...read(true), title: 'Quote an ETH → VVV swap' },
  list_keys: { ...read(false), title: 'List kept keys' },
  get_ledger: { ...read(false), title: 'Spend ledger' },
  swap_eth_for_vvv: { ...money, title: 'Swap ETH for VVV (plan)' },
  stake_vvv: { ...money, title: 'Stake VVV (plan)' },
  claim_and_stake: { ...money, title: 'Claim and restake rewards (plan)' },
  mint_and_stake_diem: { ...money, title: 'Mint and stake DIEM (plan)' },
  // A second confirm of the same plan is refused: no further effect.
  confirm_plan: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true, title: 'Send a confirmed plan' },
  mint_inference_key: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true, title: 'Mint a limited inference key' },
  revoke_key: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true, title: 'Revoke an inference key' },
  venice_chat: { ...spend, title: 'Venice chat' },
  venice_image: { ...spend, title: 'Venice image' },
  venice_speech: { ...spend, title: 'Venice speech' },
  venice_embeddings: { ...spend, title: 'Venice embeddings' },
}
