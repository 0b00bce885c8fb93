import type { Address } from 'viem'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { publicError } from '../util/publicError.js'
import type { Wallet } from '../wallet/createWallet.js'

/** The chain RPC could not be reached to open the wallet. The server keeps running and tries again on the next call. */
export class McpRpcUnavailableError extends BaseError {
  override name = 'McpRpcUnavailableError' as const
  override exitCode = ExitCode.network
}

/** A wallet that may not be open yet: its address is known (from the account), the chain is reached on first use. */
export type WalletSource = { readonly address: Address; open(): Promise<Wallet> }

/**
 * A wallet opened on first use, and again on the next use while opening fails (an RPC outage at start-up): the
 * server starts anyway, each call reports the outage as a tool error, and the first call after the RPC is back
 * opens it. An opened wallet is kept.
 *
 * @example
 * ```ts
 * const source = lazyWallet(account.address, () => openWallet(env, { account }))
 * const wallet = await source.open() // throws McpRpcUnavailableError while the RPC is down
 * ```
 */
export function lazyWallet(address: Address, open: () => Promise<Wallet>): WalletSource {
  let opening: Promise<Wallet> | undefined
  return {
    address,
    open() {
      opening ??= open().catch((err: unknown) => {
        opening = undefined
        throw new McpRpcUnavailableError(`The chain RPC could not be reached (${publicError(err).message}); nothing was read or sent.`, {
          cause: err,
          metaMessages: ['The server keeps running and tries again on the next call.'],
          code: 'MCP_RPC_UNAVAILABLE',
        })
      })
      return opening
    },
  }
}

/** A wallet that is already open, as a source. */
export const openedWallet = (wallet: Wallet): WalletSource => ({ address: wallet.address, open: async () => wallet })
