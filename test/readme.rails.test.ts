import { readFile, writeFile } from 'node:fs/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { compareProfile, RAIL_PROFILES, RAILS_README_END, RAILS_README_START, railsReadmeBlock, railsWorld } from './helpers/railProfiles.js'
import { useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
beforeAll(() => railsWorld(devnet()), 120_000)
const README = new URL('../README.md', import.meta.url)

describe('README: the two-rail comparison (#29 "Done when")', () => {
  it('shows the numbers the planner computes on the devnet for the three usage profiles', async () => {
    const results = []
    for (const p of RAIL_PROFILES) results.push({ ...p, cmp: await compareProfile(devnet(), p) })
    const block = railsReadmeBlock(results)
    const readme = await readFile(README, 'utf8')
    const at = readme.indexOf(RAILS_README_START)
    const end = readme.indexOf(RAILS_README_END)
    // After a devnet change (its pools, its USDC), `RAILS_README_WRITE=1 npx vitest run test/readme.rails.test.ts` rewrites the block.
    if (process.env.RAILS_README_WRITE === '1' && at >= 0 && end > at)
      await writeFile(README, readme.slice(0, at) + block + readme.slice(end + RAILS_README_END.length))
    expect(at).toBeGreaterThan(0)
    expect((await readFile(README, 'utf8')).slice(at, at + block.length)).toBe(block)
  }, 300_000)
})
