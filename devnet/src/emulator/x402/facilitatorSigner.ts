/**
 * The emulator's facilitator signer: `@x402/evm`'s `FacilitatorEvmSigner` over viem clients, reads and
 * simulations on the public client, writes from the emulator-owned account. The emulator plays Venice's
 * side of x402 here, so this is the one place outside src/wallet allowed to send a transaction
 * (scripts/checkSigning.ts lists it); the runtime never imports the emulator.
 */
import { toFacilitatorEvmSigner, type FacilitatorEvmSigner } from '@x402/evm'
import type { X402Settlement } from './config.js'

/**
 * @example
 * ```ts
 * const scheme = new ExactEvmScheme(facilitatorSigner({ publicClient, walletClient }))
 * ```
 */
export function facilitatorSigner({ publicClient, walletClient }: X402Settlement): FacilitatorEvmSigner {
  return toFacilitatorEvmSigner({
    address: walletClient.account.address,
    readContract: (args) => publicClient.readContract(args as never),
    verifyTypedData: (args) => publicClient.verifyTypedData(args as never),
    writeContract: (args) => walletClient.writeContract({ ...(args as object), account: walletClient.account, chain: walletClient.chain } as never),
    sendTransaction: (args) => walletClient.sendTransaction({ ...args, account: walletClient.account, chain: walletClient.chain }),
    waitForTransactionReceipt: (args) => publicClient.waitForTransactionReceipt(args),
    getCode: (args) => publicClient.getCode(args),
  })
}
