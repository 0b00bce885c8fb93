import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

// Six `gondola` processes (e2e tier). The mapping itself (exitCodeOf) is tested in cli.exitCodes.test.ts.
const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('the binary exits with the documented code of each class', () => {
  it('usage 2, config 3, policy 4, network 5, funds 6, other 1', async () => {
    const d = devnet()
    // A raw key rather than a keystore: no scrypt in six processes on a shared machine.
    const privateKey = generatePrivateKey()
    const { address } = privateKeyToAccount(privateKey)
    const { env } = await cliState(d, emulator().baseURL, { NO_COLOR: '1', GONDOLA_NETWORK: 'devnet', GONDOLA_PRIVATE_KEY: privateKey })
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const gondola = (extraEnv: Record<string, string>, ...args: string[]) =>
      exec(process.execPath, ['bin/gondola.js', ...args], { env: { ...env, ...extraEnv } }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      )
    const before = await d.publicClient.getTransactionCount({ address })
    // Unfunded first: the funds case needs an empty wallet.
    const funds = await gondola({}, 'swap', '--eth', '0.01')
    await d.fund(address, { eth: parseEther('1') })
    const [usage, config, policy, network, other] = await Promise.all([
      gondola({}, 'swap'),
      gondola({ GONDOLA_LOG_LEVEL: 'loud' }, 'ledger'),
      gondola({ GONDOLA_POLICY_MAX_ETH_PER_SWAP: '0.001' }, 'swap', '--eth', '0.01'),
      gondola({ DEVNET_RPC_URL: `http://127.0.0.1:${closedPort}` }, 'wallet', 'balance'),
      gondola({}, 'unstake', 'finish'),
    ])
    expect({ usage, config, policy, network, funds, other }).toMatchObject({
      usage: { code: 2, stderr: expect.stringContaining('--eth is required.') },
      config: { code: 3, stderr: expect.stringContaining('GONDOLA_LOG_LEVEL') },
      policy: { code: 4 },
      network: { code: 5, stderr: expect.stringContaining(`127.0.0.1:${closedPort}`) },
      funds: { code: 6 },
      other: { code: 1 },
    })
    // One error line each; anything else on stderr is a structured log line (progress).
    for (const r of [usage, config, policy, network, funds, other]) {
      const lines = r.stderr.trim().split('\n')
      expect(lines.filter((l) => !l.startsWith('{"level":'))).toEqual([expect.stringMatching(/^gondola: /)])
    }
    expect(await d.publicClient.getTransactionCount({ address })).toBe(before)
  }, 600_000)
})
