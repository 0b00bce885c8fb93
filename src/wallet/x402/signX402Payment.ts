/**
 * Signs one x402 `exact` payment (an EIP-3009 `TransferWithAuthorization` over USDC) with the ecosystem's own
 * client: `@x402/core`'s `x402Client` and `x402HTTPClient` with `@x402/evm`'s `ExactEvmScheme` build the typed data,
 * the random nonce, the validity window and the v2 `PaymentPayload`, and encode the `PAYMENT-SIGNATURE` header.
 * The library's spend controls are set to our policy's cap as a second fence.
 *
 * Not `@x402/fetch`'s `wrapFetchWithPayment`: it signs and sends in one call, and a crash-safe top-up must journal
 * the signed authorization between the two (see `topUpX402`). Hand-written here: only the adapter from our
 * `WalletSigner` to the library's `ClientEvmSigner`.
 */
import type { Network, PaymentPayload, PaymentRequirements } from '@x402/core/types'
import type { Hex } from 'viem'
import type { WalletSigner } from '../accounts/toSigner.js'
import { UnsupportedSignerError } from '../errors.js'
import type { X402Offer } from './x402Policy.js'
import { loadX402 } from './loadX402.js'

export type SignedX402Payment = {
  /** The base64 `PAYMENT-SIGNATURE` header value. */
  header: string
  /** The EIP-3009 nonce (bytes32): the payment's idempotency key on chain. */
  nonce: Hex
  /** Unix seconds after which the authorization is void. */
  validBefore: bigint
  payload: PaymentPayload
}

/**
 * Signs `offer` for exactly `amount` USDC base units (at least the offer's minimum).
 *
 * @throws {UnsupportedSignerError} when the signer cannot sign EIP-712 typed data.
 *
 * @example
 * ```ts
 * const signed = await signX402Payment(wallet.signer, { x402Version: 2, offer, amount: 5_000_000n, resourceUrl })
 * await fetch(topUpUrl, { method: 'POST', headers: { 'PAYMENT-SIGNATURE': signed.header } })
 * ```
 */
export async function signX402Payment(
  signer: WalletSigner,
  p: { x402Version: number; offer: X402Offer & { extra?: Record<string, unknown> | undefined }; amount: bigint; resourceUrl: string },
): Promise<SignedX402Payment> {
  const signTypedData = signer.signTypedData
  if (!signTypedData) throw new UnsupportedSignerError(signer.address)
  const requirement: PaymentRequirements = {
    scheme: p.offer.scheme,
    network: p.offer.network as Network,
    asset: p.offer.asset,
    amount: p.amount.toString(),
    payTo: p.offer.payTo,
    maxTimeoutSeconds: p.offer.maxTimeoutSeconds,
    extra: p.offer.extra ?? {},
  }
  const { x402Client, x402HTTPClient, ExactEvmScheme } = await loadX402()
  const client = new x402Client()
    .register(requirement.network, new ExactEvmScheme({ address: signer.address, signTypedData: (t) => signTypedData(t as never) }))
    .setSpendControls({
      maxAmountPerPayment: false,
      allowedAssets: [{ network: requirement.network, asset: requirement.asset, maxAmountPerPayment: requirement.amount }],
    })
  const http = new x402HTTPClient(client)
  const payload = await http.createPaymentPayload({
    x402Version: p.x402Version,
    resource: { url: p.resourceUrl, description: 'Venice x402 top-up', mimeType: 'application/json' },
    accepts: [requirement],
  })
  const header = Object.values(http.encodePaymentSignatureHeader(payload))[0]!
  const auth = (payload.payload as { authorization: { nonce: Hex; validBefore: string } }).authorization
  return { header, nonce: auth.nonce, validBefore: BigInt(auth.validBefore), payload }
}
