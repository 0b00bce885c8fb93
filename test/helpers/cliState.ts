import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeDevnetInfo } from '../../src/chain/devnetInfo.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'

/** The keystore password CLI tests use (so they can check it never reaches the terminal). */
export const CLI_TEST_PASSWORD = 'correct-horse-battery-staple'

/**
 * A fresh state dir publishing this file's devnet and emulator the way a running `gondola devnet` does, and the
 * environment a CLI subprocess needs to use them (no raw key; the keystore password from the environment).
 *
 * @example
 * ```ts
 * const { stateDir, env } = await cliState(devnet(), emulator().baseURL)
 * await execFile(process.execPath, ['bin/gondola.js', 'wallet', 'new'], { env })
 * ```
 */
export async function cliState(devnet: Devnet, veniceBaseUrl: string, extraEnv: Record<string, string> = {}) {
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-cli-'))
  await writeDevnetInfo(stateDir, { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, addresses: devnet.addresses, accounts: [], veniceBaseUrl })
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GONDOLA_STATE_DIR: stateDir,
    GONDOLA_KEYSTORE_PASSWORD: CLI_TEST_PASSWORD,
    GONDOLA_PRIVATE_KEY: '',
    ...extraEnv,
  }
  return { stateDir, env }
}
