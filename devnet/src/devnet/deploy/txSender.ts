import {
  createWalletClient,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  http,
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
} from 'viem'
import { DevnetDeployError } from '../errors.js'

/**
 * Sends a deployment's transactions back to back from one key with explicit nonces, gas and
 * price (no estimation round trips; anvil automines each one), and checks every receipt at the
 * end so a revert is reported with the step that caused it.
 */
export type TxSender = {
  account: PrivateKeyAccount
  deploy(label: string, abi: Abi, bytecode: Hex, args?: readonly unknown[]): Promise<Address>
  call(label: string, to: Address, abi: Abi, functionName: string, args?: readonly unknown[], value?: bigint): Promise<void>
  /** Waits for all receipts; throws on the first reverted step. */
  settle(): Promise<void>
}

const GAS = 15_000_000n
const GAS_PRICE = 20_000_000_000n

/**
 * @example
 * ```ts
 * const tx = await createTxSender(publicClient, chain, account)
 * const vvv = await tx.deploy('VVV', abi, bytecode, [owner, supply])
 * await tx.settle()
 * ```
 */
export async function createTxSender(publicClient: PublicClient, chain: Chain, account: PrivateKeyAccount): Promise<TxSender> {
  const wallet = createWalletClient({ account, chain, transport: http(chain.rpcUrls.default.http[0]) })
  let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' })
  const sent: { label: string; hash: Hex }[] = []
  const send = async (label: string, data: Hex, to: Address | null, value = 0n): Promise<void> => {
    try {
      const serialized = await account.signTransaction({
        chainId: chain.id,
        type: 'legacy',
        nonce: nonce++,
        gas: GAS,
        gasPrice: GAS_PRICE,
        data,
        value,
        ...(to ? { to } : {}),
      })
      sent.push({ label, hash: await wallet.sendRawTransaction({ serializedTransaction: serialized }) })
    } catch (err) {
      throw new DevnetDeployError(`Devnet deployment step "${label}" could not be sent.`, { cause: err, code: 'DEPLOY_SEND_FAILED' })
    }
  }
  return {
    account,
    async deploy(label, abi, bytecode, args = []) {
      const address = getContractAddress({ from: account.address, nonce: BigInt(nonce) })
      await send(label, encodeDeployData({ abi, bytecode, args }), null)
      return address
    },
    async call(label, to, abi, functionName, args = [], value = 0n) {
      await send(label, encodeFunctionData({ abi, functionName, args }), to, value)
    },
    async settle() {
      let receipts
      try {
        receipts = await Promise.all(sent.map(({ hash }) => publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10, timeout: 30_000 })))
      } catch (err) {
        throw new DevnetDeployError('A devnet deployment transaction was not mined.', {
          cause: err,
          metaMessages: ['Is anvil still running and automining?'],
          code: 'DEPLOY_NOT_MINED',
        })
      }
      const failed = receipts.findIndex((r) => r.status !== 'success')
      if (failed >= 0) {
        throw new DevnetDeployError(`Devnet deployment step "${sent[failed]!.label}" reverted.`, {
          metaMessages: [
            `Transaction ${sent[failed]!.hash}`,
            'The devnet contracts or deploy script are inconsistent; run `npm run compile-contracts` and retry.',
          ],
          code: 'DEPLOY_REVERTED',
        })
      }
      sent.length = 0
    },
  }
}
