import { createChainReader } from '../emulator/chainReader.js'
import type { FaultOptions } from '../emulator/faults.js'
import { startEmulator, type Emulator, type StartEmulatorOptions } from '../emulator/startEmulator.js'
import { startDevnet, type Devnet, type StartDevnetOptions } from './startDevnet.js'
import { x402SettlementOn } from './x402Settlement.js'

/** The whole local world: the devnet chain and a Venice emulator that reads it. */
export type LocalWorld = {
  devnet: Devnet
  emulator: Emulator
  /** `http://127.0.0.1:PORT/api/v1`. */
  veniceBaseUrl: string
  /** Stops the emulator, then the chain. Idempotent. */
  stop(): Promise<void>
}

export type StartLocalWorldOptions = StartDevnetOptions & {
  emulator?: Omit<Partial<StartEmulatorOptions>, 'chain'> & { port?: number; faults?: FaultOptions }
}

/**
 * Starts anvil with every contract deployed, then the Venice emulator reading balances from that chain.
 * What `gondola devnet` and `npm start` run; tests may use it too.
 *
 * @example
 * ```ts
 * const world = await startLocalWorld({ emulator: { dailyPoolDiem: 1000 } })
 * const openai = new OpenAI({ apiKey, baseURL: world.veniceBaseUrl })
 * await world.stop()
 * ```
 */
export async function startLocalWorld(options: StartLocalWorldOptions = {}): Promise<LocalWorld> {
  const { emulator: emulatorOptions = {}, ...devnetOptions } = options
  const devnet = await startDevnet(devnetOptions)
  let emulator: Emulator
  try {
    // x402 top-ups settle on this chain, submitted by an emulator-owned account funded here.
    const x402 = { ...emulatorOptions.x402, settlement: emulatorOptions.x402?.settlement ?? (await x402SettlementOn(devnet)) }
    emulator = await startEmulator({ ...emulatorOptions, x402, chain: createChainReader({ publicClient: devnet.publicClient, addresses: devnet.addresses }) })
  } catch (err) {
    await devnet.stop()
    throw err
  }
  let stopping: Promise<void> | undefined
  return {
    devnet,
    emulator,
    veniceBaseUrl: emulator.baseURL,
    stop: () => (stopping ??= emulator.stop().finally(() => devnet.stop())),
  }
}
