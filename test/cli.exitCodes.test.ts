import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { HttpRequestError, InsufficientFundsError as ViemInsufficientFundsError, TimeoutError, parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { CLIConfigError, CLIError } from '../src/cli/CLIError.js'
import { ConfigError } from '../src/config/ConfigError.js'
import { BaseError } from '../src/errors/BaseError.js'
import { exitCodeOf } from '../src/errors/exitCodeOf.js'
import { ExitCode } from '../src/errors/exitCodes.js'
import { APIConnectionError, generate } from '../src/venice/errors.js'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { InsufficientFundsError, InvalidAmountError, NothingToDoError, PolicyViolationError } from '../src/wallet/errors.js'
import { cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('exitCodeOf', () => {
  it('maps each class of failure, walking the cause chain from the outside in', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })
    const table: [unknown, number][] = [
      [new CLIError('--eth is required.'), ExitCode.usage],
      [new InvalidAmountError('--eth is not a decimal number.'), ExitCode.usage],
      [Object.assign(new Error('Unknown command foo'), { name: 'CLIError', code: 'E_UNKNOWN_COMMAND' }), ExitCode.usage],
      [new ConfigError('Invalid environment variable GONDOLA_LOG_LEVEL.'), ExitCode.config],
      [new CLIConfigError('No password for the new keystore.'), ExitCode.config],
      [new PolicyViolationError('Swap exceeds the cap.'), ExitCode.policy],
      [new HttpRequestError({ url: 'http://127.0.0.1:9', details: 'fetch failed' }), ExitCode.network],
      [new TimeoutError({ body: {}, url: 'http://127.0.0.1:9' }), ExitCode.network],
      [new TypeError('fetch failed', { cause: refused }), ExitCode.network],
      [refused, ExitCode.network],
      [new APIConnectionError(), ExitCode.network],
      [generate(503, { error: 'Model at capacity' }, undefined), ExitCode.network],
      [new BaseError('Unexpected error calling Venice.', { cause: new TypeError('fetch failed') }), ExitCode.network],
      [new BaseError('Swap failed.', { cause: new BaseError('estimate', { cause: new HttpRequestError({ url: 'http://x' }) }) }), ExitCode.network],
      [new InsufficientFundsError('The wallet holds 0 ETH.'), ExitCode.funds],
      [new ViemInsufficientFundsError(), ExitCode.funds],
      [generate(402, { error: 'Insufficient balance' }, undefined), ExitCode.funds],
      [new PolicyViolationError('refused', { cause: new HttpRequestError({ url: 'http://x' }) }), ExitCode.policy],
      [new NothingToDoError('No rewards to claim.'), ExitCode.error],
      [new Error('boom'), ExitCode.error],
      ['a string', ExitCode.error],
    ]
    expect(table.map(([err]) => exitCodeOf(err))).toEqual(table.map(([, code]) => code))
  })
})

describe('README', () => {
  it('documents exactly the exit codes of exitCodes.ts', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    const documented = [...readme.matchAll(/^ {2}\| (\d+) \| .+ \|$/gm)].map((m) => Number(m[1]))
    expect(documented).toEqual(Object.values(ExitCode))
  })
})

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
