import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../src/cli/runCli.js'

// Flag errors are found before any wallet, key or network is touched: no devnet needed.
describe('gondola run social-bot: flag errors (exit 2, naming the flag)', () => {
  let stderr: string
  beforeEach(async () => {
    stderr = ''
    process.env.GONDOLA_STATE_DIR = await mkdtemp(join(tmpdir(), 'gondola-social-flags-'))
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true))
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => {
    vi.restoreAllMocks()
    process.exitCode = undefined
  })

  it.each([
    [['run', 'treasurer', '--persona', 'marco.json'], '--persona is for social-bot, not "treasurer"'],
    [['run', 'treasurer', '--dry-run', '--budget-diem-per-day', '1'], '--budget-diem-per-day, --dry-run are for social-bot'],
    [['run', 'social-bot', '--character', 'satoshi', '--persona', 'marco.json'], 'Pass --character or --persona, not both'],
    [['run', 'social-bot', '--character', 'Not A Slug'], '--character "Not A Slug" is not a Venice character slug'],
    [['run', 'social-bot', '--budget-diem-per-day', 'lots'], '--budget-diem-per-day'],
    [['run', 'social-bot', '--dryrun'], '--dryrun'],
  ])('%j', async (argv, message) => {
    expect(await runCli(argv)).toBe(2)
    expect(stderr).toContain(message)
  })
})
