import type { Address, Hex, PublicClient, TestClient } from 'viem'
import { DevnetDeployError } from '../errors.js'

/**
 * Installs `from`'s runtime code (immutables included) at `to` with anvil_setCode, with its first `slots` storage
 * slots: how the devnet puts a contract at the address it has on Base.
 *
 * @throws {DevnetDeployError} when there is no code at `from` (its deployment failed).
 *
 * @example
 * ```ts
 * await moveContract(publicClient, testClient, deployedRouter, AERODROME_ROUTER_ADDRESS, 0)
 * ```
 */
export async function moveContract(publicClient: PublicClient, testClient: TestClient, from: Address, to: Address, slots: number): Promise<void> {
  const code = await publicClient.getCode({ address: from })
  if (!code)
    throw new DevnetDeployError(`No code at ${from} to move to ${to}.`, {
      metaMessages: ['A devnet deployment step failed; run `npm run compile-contracts` and retry.'],
      code: 'DEPLOY_NO_CODE',
    })
  await testClient.setCode({ address: to, bytecode: code })
  for (let i = 0; i < slots; i++) {
    const slot = `0x${i.toString(16).padStart(64, '0')}` as Hex
    const value = (await publicClient.getStorageAt({ address: from, slot })) ?? '0x'
    await testClient.setStorageAt({ address: to, index: slot, value: `0x${value.slice(2).padStart(64, '0')}` as Hex })
  }
}
