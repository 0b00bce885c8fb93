import { existsSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { addressBookSchema, type AddressBook } from './addressBook.js'
import { atomicWrite } from '../util/atomicWrite.js'
import { DevnetStateError } from './errors.js'

/** One of anvil's pre-funded development accounts. */
export type DevAccount = { address: Address; privateKey: Hex }

/** What a running `gondola devnet` publishes in `<stateDir>/devnet.json` for other commands. */
export type DevnetInfo = {
  rpcUrl: string
  chainId: number
  addresses: AddressBook
  accounts: DevAccount[]
  /** Base URL of the Venice emulator when the devnet runs one beside anvil. */
  veniceBaseUrl?: string | undefined
  /**
   * The emulator's staked-DIEM rule: DIEM that must be staked before any Diem is spendable (0: off). Absent in
   * files written before the rule was published: then nothing is known, and readers keep their own default.
   */
  minStakedDiemForDiem?: number | undefined
}

const devnetInfoSchema = z.object({
  rpcUrl: z.string().url(),
  chainId: z.number().int().positive(),
  addresses: addressBookSchema,
  accounts: z.array(z.object({ address: z.string(), privateKey: z.string() })),
  veniceBaseUrl: z.string().url().optional(),
  minStakedDiemForDiem: z.number().min(0).optional(),
})

/** Path of the devnet info file inside a state directory. */
export function devnetInfoPath(stateDir: string): string {
  return join(stateDir, 'devnet.json')
}

/**
 * Publishes a running devnet's info (atomically) for other commands to discover.
 *
 * @example
 * ```ts
 * await writeDevnetInfo('.gondola', { rpcUrl, chainId, addresses, accounts })
 * ```
 */
export async function writeDevnetInfo(stateDir: string, info: DevnetInfo): Promise<void> {
  await atomicWrite(devnetInfoPath(stateDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o644 })
}

/** Removes the info file (when the devnet stops). */
export async function removeDevnetInfo(stateDir: string): Promise<void> {
  await rm(devnetInfoPath(stateDir), { force: true })
}

/**
 * Reads the info a running `gondola devnet` published.
 *
 * @throws {DevnetStateError} when there is none (devnet not running) or it is unreadable.
 *
 * @example
 * ```ts
 * const { rpcUrl, addresses } = readDevnetInfo('.gondola')
 * ```
 */
export function readDevnetInfo(stateDir: string): DevnetInfo {
  const path = devnetInfoPath(stateDir)
  if (!existsSync(path)) {
    throw new DevnetStateError(`No devnet found: ${path} does not exist.`, {
      metaMessages: ['Start one with `npx gondola devnet` (same GONDOLA_STATE_DIR).'],
      code: 'DEVNET_NOT_RUNNING',
    })
  }
  try {
    return devnetInfoSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) as DevnetInfo
  } catch (err) {
    throw new DevnetStateError(`${path} is not a valid devnet info file.`, {
      cause: err,
      metaMessages: ['Restart `npx gondola devnet` to rewrite it.'],
      code: 'DEVNET_INFO_INVALID',
    })
  }
}

/**
 * The devnet's address book, for commands that run against a `gondola devnet` started elsewhere.
 *
 * @example
 * ```ts
 * const book = readDevnetAddressBook('.gondola') // { network: 'devnet', vvv: '0x…', … }
 * ```
 */
export function readDevnetAddressBook(stateDir: string): AddressBook {
  return readDevnetInfo(stateDir).addresses
}
