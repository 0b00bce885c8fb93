import type { Signer as EthersSigner, TransactionRequest, TypedDataDomain, TypedDataField } from 'ethers'
import { getAddress, type Address, type Hex, type LocalAccount, type TransactionSerializableEIP1559, type TypedDataDefinition } from 'viem'
import { UnsupportedSignerError } from '../errors.js'

/** The transaction shape the wallet signs: EIP-1559, every field filled. */
export type UnsignedTransaction = Required<
  Pick<TransactionSerializableEIP1559, 'chainId' | 'nonce' | 'to' | 'data' | 'value' | 'gas' | 'maxFeePerGas' | 'maxPriorityFeePerGas'>
> & {
  type: 'eip1559'
}

/** What the wallet needs from a key: its address, EIP-191 message signing, and transaction signing. */
export type WalletSigner = {
  address: Address
  /** EIP-191 `personal_sign` of a UTF-8 string (what Venice's web3 key flow needs). */
  signMessage(message: string): Promise<Hex>
  /** Signs and serializes a transaction; never broadcasts. */
  signTransaction(transaction: UnsignedTransaction): Promise<Hex>
  /** EIP-712 typed data (x402's EIP-3009 `TransferWithAuthorization`). Absent on signers that cannot do it. */
  signTypedData?: ((typedData: TypedData) => Promise<Hex>) | undefined
}

/** An EIP-712 payload: domain, types (without `EIP712Domain`), primary type and message. */
export type TypedData = {
  domain: Record<string, unknown>
  types: Record<string, readonly { name: string; type: string }[]>
  primaryType: string
  message: Record<string, unknown>
}

/** A viem `LocalAccount` or an ethers `Signer` (e.g. `ethers.Wallet`). */
export type AnySigner = LocalAccount | EthersSigner | WalletSigner

/**
 * Adapts a viem local account or an ethers signer to one {@link WalletSigner}.
 *
 * @example
 * ```ts
 * const signer = await toSigner(privateKeyToAccount(key))      // viem
 * const same = await toSigner(new ethers.Wallet(key))           // ethers
 * await signer.signMessage(token) // identical signatures
 * ```
 */
export async function toSigner(source: AnySigner): Promise<WalletSigner> {
  if (isWalletSigner(source)) return source
  if (isLocalAccount(source)) {
    return {
      address: source.address,
      signMessage: (message) => source.signMessage({ message }),
      signTransaction: (tx) => source.signTransaction(tx),
      signTypedData: (typedData) => source.signTypedData(typedData as unknown as TypedDataDefinition),
    }
  }
  if (isEthersSigner(source)) {
    const address = getAddress(await source.getAddress())
    return {
      address,
      signMessage: async (message) => (await source.signMessage(message)) as Hex,
      signTransaction: async (tx) => (await source.signTransaction(toEthersTransaction(address, tx))) as Hex,
      signTypedData: async ({ domain, types, message }) =>
        (await source.signTypedData(domain as TypedDataDomain, types as Record<string, TypedDataField[]>, message)) as Hex,
    }
  }
  throw new UnsupportedSignerError()
}

function toEthersTransaction(from: Address, tx: UnsignedTransaction): TransactionRequest {
  return {
    type: 2,
    from,
    chainId: tx.chainId,
    nonce: tx.nonce,
    to: tx.to,
    data: tx.data,
    value: tx.value,
    gasLimit: tx.gas,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
  }
}

function isLocalAccount(x: unknown): x is LocalAccount {
  return typeof x === 'object' && x !== null && (x as LocalAccount).type === 'local' && typeof (x as LocalAccount).signTransaction === 'function'
}

function isEthersSigner(x: unknown): x is EthersSigner {
  const s = x as EthersSigner
  return (
    typeof x === 'object' && x !== null && typeof s.getAddress === 'function' && typeof s.signTransaction === 'function' && typeof s.signMessage === 'function'
  )
}

function isWalletSigner(x: unknown): x is WalletSigner {
  const s = x as WalletSigner & { type?: unknown; getAddress?: unknown }
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof s.address === 'string' &&
    s.type === undefined &&
    s.getAddress === undefined &&
    typeof s.signTransaction === 'function'
  )
}
