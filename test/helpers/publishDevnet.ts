import { writeDevnetInfo } from '../../src/chain/devnetInfo.js'

/** What `publishDevnet` reads of a running devnet (a `Devnet`, or the devnet of a `LocalWorld`). */
type DevnetLike = { rpcUrl: string; chainId: number; addresses: Parameters<typeof writeDevnetInfo>[1]['addresses'] }

/**
 * Writes `<stateDir>/devnet.json` as `gondola devnet` publishes it, so a CLI command or MCP server run on that state
 * dir finds the test's chain (and the emulator, when `veniceBaseUrl` is given) with no other configuration.
 *
 * @example
 * ```ts
 * await publishDevnet(stateDir, devnet(), emulator().baseURL)
 * ```
 */
export async function publishDevnet(stateDir: string, devnet: DevnetLike, veniceBaseUrl?: string, o: { rpcUrl?: string } = {}): Promise<void> {
  await writeDevnetInfo(stateDir, {
    rpcUrl: o.rpcUrl ?? devnet.rpcUrl,
    chainId: devnet.chainId,
    addresses: devnet.addresses,
    accounts: [],
    ...(veniceBaseUrl !== undefined && { veniceBaseUrl }),
  })
}
