import { describe, expect, it } from 'vitest'
import { checkArgv, closestName } from '../src/cli/args/index.js'
import { CLIError } from '../src/cli/CLIError.js'
import { main } from '../src/cli/runCli.js'

/** The error `checkArgv` throws for `argv` (fails the test when it accepts it). */
async function rejection(argv: string[]): Promise<CLIError> {
  try {
    await checkArgv(main, argv)
  } catch (err) {
    expect(err).toBeInstanceOf(CLIError)
    expect((err as CLIError).exitCode).toBe(2)
    return err as CLIError
  }
  throw new Error(`checkArgv accepted ${argv.join(' ')}`)
}

describe('closestName', () => {
  it('maps -/_/case variants to the flag, and near misses within a small edit distance', () => {
    const flags = ['eth', 'json', 'dry-run']
    expect(['dryrun', 'dry_run', 'dryRun', 'DRY-RUN', 'dry--run'].map((f) => closestName(f, flags))).toEqual(Array(5).fill('dry-run'))
    expect(closestName('dry-rn', flags)).toBe('dry-run')
    expect(closestName('jsno', flags)).toBe('json')
    expect(closestName('agent', ['agents', 'stake-vvv', 'diem-per-agent'])).toBe('agents')
    expect(closestName('stake-vv', ['agents', 'stake-vvv'])).toBe('stake-vvv')
    expect(closestName('verbose', flags)).toBeUndefined()
    expect(closestName('x', flags)).toBeUndefined()
  })
})

describe('checkArgv on the real command tree', () => {
  it('accepts declared flags in every form citty reads: --f v, --f=v, --no-f, --f=false, positionals, -h', async () => {
    expect((await checkArgv(main, ['swap', '--eth', '0.01', '--dry-run', '--json'])).path).toEqual(['swap'])
    expect((await checkArgv(main, ['swap', '--eth=0.01', '--no-json', '--dry-run=true'])).path).toEqual(['swap'])
    expect((await checkArgv(main, ['swap', '--eth', '-1'])).path).toEqual(['swap']) // a negative value is the value check's business
    expect((await checkArgv(main, ['diem', 'unstake', 'start', '--diem', '1'])).path).toEqual(['diem', 'unstake', 'start'])
    expect((await checkArgv(main, ['keys', 'show', 'abc123', '--json'])).path).toEqual(['keys', 'show'])
    expect(await checkArgv(main, ['keys', 'mint', '--hepl', '-h'])).toMatchObject({ help: true, path: ['keys', 'mint'] })
    expect(await checkArgv(main, ['--version'])).toMatchObject({ version: true })
  })

  it('rejects the typos of issue #10 with a did-you-mean hint', async () => {
    const dryrun = await rejection(['swap', '--eth', '0.001', '--dryrun'])
    expect(dryrun.shortMessage).toBe('Unknown flag --dryrun for `gondola swap`. Nothing was done.')
    expect(dryrun.metaMessages).toEqual(['Did you mean --dry-run?'])
    expect(dryrun.code).toBe('CLI_UNKNOWN_FLAG')
    expect((await rejection(['stake', '--vvv', '0.001', '--dry_run'])).metaMessages).toEqual(['Did you mean --dry-run?'])
    expect((await rejection(['provision', '--agent', 'foo-bot'])).metaMessages).toEqual(['Did you mean --agents?'])
    expect((await rejection(['swap', '--dryRun'])).metaMessages).toEqual(['Did you mean --dry-run?'])
  })

  it('rejects a repeated flag, boolean or not, naming both values', async () => {
    const twice = await rejection(['swap', '--eth', '0.01', '--eth', '0.02'])
    expect(twice.shortMessage).toBe('--eth is given more than once (0.01 and 0.02).')
    expect(twice.code).toBe('CLI_REPEATED_FLAG')
    expect((await rejection(['swap', '--eth=0.01', '--eth', '0.01'])).shortMessage).toBe('--eth is given more than once.')
    expect((await rejection(['swap', '--dry-run', '--no-dry-run'])).shortMessage).toBe('--dry-run is given more than once (true and false).')
  })

  it('rejects a value flag without its value, a switch with a value, stray arguments and unknown commands', async () => {
    const missing = await rejection(['swap', '--eth', '--dry-run'])
    expect(missing.shortMessage).toBe('--eth needs a value. It was followed by --dry-run.')
    expect((await rejection(['swap', '--eth'])).code).toBe('CLI_MISSING_VALUE')
    expect((await rejection(['swap', '--dry-run=yes'])).code).toBe('CLI_BAD_FLAG')
    const stray = await rejection(['swap', '--eth', '0.01', '0.02'])
    expect(stray.shortMessage).toBe('Unexpected argument "0.02" for `gondola swap`.')
    expect((await rejection(['keys', 'show'])).code).toBe('CLI_MISSING_ARGUMENT')
    expect((await rejection(['keys', 'show', 'a', 'b'])).code).toBe('CLI_EXTRA_ARGUMENT')
    const unknown = await rejection(['swpa', '--eth', '1'])
    expect(unknown.shortMessage).toBe('Unknown command "swpa" for `gondola`.')
    expect(unknown.metaMessages).toEqual(['Did you mean `gondola swap`?'])
    expect((await rejection(['keys'])).code).toBe('CLI_MISSING_COMMAND')
    expect((await rejection(['--verbose', 'swap'])).code).toBe('CLI_UNKNOWN_FLAG')
    // citty would silently drop a flag placed before the subcommand; here it is an error.
    expect((await rejection(['keys', '--json', 'list'])).metaMessages[0]).toMatch(/Flags go after the command: `gondola keys <command> --json`/)
  })
})
