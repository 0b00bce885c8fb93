import { readFile } from 'node:fs/promises'
import { HttpRequestError, InsufficientFundsError as ViemInsufficientFundsError, TimeoutError } from 'viem'
import { describe, expect, it } from 'vitest'
import { CLIConfigError, CLIError } from '../src/cli/CLIError.js'
import { ConfigError } from '../src/config/ConfigError.js'
import { BaseError } from '../src/errors/BaseError.js'
import { exitCodeOf } from '../src/errors/exitCodeOf.js'
import { ExitCode } from '../src/errors/exitCodes.js'
import { APIConnectionError, generate } from '../src/venice/errors.js'
import { InsufficientFundsError, InvalidAmountError, NothingToDoError, PolicyViolationError } from '../src/wallet/errors.js'

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

// The binary's exit codes, one process per class: cli.exitCodes.binary.test.ts (e2e tier).
describe('README', () => {
  it('documents exactly the exit codes of exitCodes.ts', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    const documented = [...readme.matchAll(/^ {2}\| (\d+) \| .+ \|$/gm)].map((m) => Number(m[1]))
    expect(documented).toEqual(Object.values(ExitCode))
  })
})
