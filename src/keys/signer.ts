import type { Address, Hex } from 'viem'
import { getAddress } from 'viem'

/** What the key flow needs from a wallet: its address and EIP-191 `personal_sign`. */
export type MessageSigner = { address: Address; signMessage(message: string): Promise<Hex> }

/** A viem `Account` (local) or anything shaped like one. */
type ViemLikeAccount = { address: Address; signMessage?: (args: { message: string }) => Promise<Hex>; type?: string }
/** An ethers v6 `Signer` (Wallet, JsonRpcSigner…). */
type EthersLikeSigner = { getAddress(): Promise<string>; signMessage(message: string): Promise<string> }

export type AnySigner = ViemLikeAccount | EthersLikeSigner

/**
 * Normalises a viem `Account` or an ethers `Signer` into a `MessageSigner`.
 *
 * @example
 * ```ts
 * import { privateKeyToAccount } from 'viem/accounts'
 * const signer = await toMessageSigner(privateKeyToAccount(pk))
 * await signer.signMessage(token)
 * ```
 */
export async function toMessageSigner(signer: AnySigner): Promise<MessageSigner> {
  if ('getAddress' in signer && typeof signer.getAddress === 'function') {
    const ethers = signer as EthersLikeSigner
    const address = getAddress(await ethers.getAddress())
    return { address, signMessage: async (message) => (await ethers.signMessage(message)) as Hex }
  }
  const account = signer as ViemLikeAccount
  if (typeof account.signMessage !== 'function') {
    throw new TypeError('The signer cannot sign messages: pass a local viem Account (privateKeyToAccount) or an ethers Signer.')
  }
  const sign = account.signMessage.bind(account)
  return { address: getAddress(account.address), signMessage: (message) => sign({ message }) }
}
