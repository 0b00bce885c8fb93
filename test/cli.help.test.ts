import { afterEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../src/cli/runCli.js'

async function helpOf(args: string[]): Promise<string> {
  let out = ''
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true))
  try {
    expect(await runCli(args)).toBe(0)
  } finally {
    spy.mockRestore()
  }
  return out
}

afterEach(() => vi.restoreAllMocks())

describe('--help when stdout is not a terminal', () => {
  it('pads no line: no trailing blanks, and each line is only as long as its own text', async () => {
    for (const args of [['--help'], ['fleet', '--help'], ['wallet', '--help']]) {
      const lines = (await helpOf(args)).split('\n')
      expect(
        lines.filter((l) => /\s$/.test(l)),
        args.join(' '),
      ).toEqual([])
      // Before the fix every COMMANDS line of the top-level help was 2,822 characters.
      expect(Math.max(...lines.map((l) => l.length)), args.join(' ')).toBeLessThan(400)
    }
  })
})
