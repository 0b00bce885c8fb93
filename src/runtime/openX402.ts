import type { Env } from '../config/env.js'
import { createVeniceClient, type VeniceClient } from '../venice/createVeniceClient.js'
import type { Wallet } from '../wallet/createWallet.js'
import type { X402TopUpApi } from '../wallet/x402/topUpX402.js'
import { x402PolicyFromEnv, type X402Policy } from '../wallet/x402/x402Policy.js'
import { openWallet } from './openWallet.js'
import { resolveVeniceBaseUrl } from './resolveBaseUrl.js'

/** Everything the x402 rail needs: the wallet, a SIWX Venice client (no API key), the x402 policy, the top-up port. */
export type X402Context = { wallet: Wallet; venice: VeniceClient; policy: X402Policy; api: X402TopUpApi }

/**
 * The x402 rail as configured: the wallet (`openWallet`), a Venice client that signs every request in with
 * SIWX for that wallet on its chain (8453 on Base, the devnet's id against the emulator), and the x402 policy
 * (GONDOLA_POLICY_MAX_USDC_*, GONDOLA_X402_PAYEES, the address book's USDC).
 *
 * @example
 * ```ts
 * const { wallet, venice, policy, api } = await openX402(readEnv())
 * await topUpX402(wallet, { api, policy, amount: 5_000_000n })
 * ```
 */
export async function openX402(env: Env, options: { dryRun?: boolean | undefined; wallet?: Wallet | undefined } = {}): Promise<X402Context> {
  const wallet = options.wallet ?? (await openWallet(env, { dryRun: options.dryRun }))
  const baseURL = resolveVeniceBaseUrl(env)
  const venice = createVeniceClient({ baseURL, siwx: { signer: wallet.signer, chainId: wallet.chainId } })
  return { wallet, venice, policy: x402PolicyFromEnv(env, wallet.addresses.usdc), api: x402TopUpApi(venice) }
}

/**
 * A Venice client as the top-up's port.
 *
 * @example
 * ```ts
 * const api = x402TopUpApi(createVeniceClient({ baseURL }))
 * ```
 */
export function x402TopUpApi(venice: VeniceClient): X402TopUpApi {
  return {
    getX402TopUpRequirements: () => venice.getX402TopUpRequirements(),
    submitX402TopUp: (header) => venice.submitX402TopUp(header),
    topUpUrl: `${venice.baseURL.replace(/\/+$/, '')}/x402/top-up`,
  }
}
