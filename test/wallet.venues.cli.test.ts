import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { gondolaInProcess } from './helpers/gondolaInProcess.js'
import { useDevnet } from './helpers/useDevnet.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const devnet = useDevnet()

// In process (runCli): these check what the commands print, not the process.
describe('gondola swap --dry-run', () => {
  it('shows every venue priced net of gas, the winner starred; --json carries the comparison', async () => {
    const d = devnet()
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-venues-cli-'))
    await publishDevnet(stateDir, d)
    const dev = d.accounts[3]!
    const env = { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: dev.privateKey, NO_COLOR: '1' }
    await d.fund(dev.address, { eth: parseEther('1') })
    const text = (await gondolaInProcess(['swap', '--eth', '0.01', '--dry-run'], env)).stdout
    expect(text).toMatch(/^\[dry run\] Would swap 0\.01 ETH for 9\.\d+ VVV on uniswap-v3 \(fee tier 3000\)/)
    expect(text).toMatch(
      /\n {2}venues, net of gas at [\d.]+ gwei:\n {2}\* uniswap-v3 fee 3000 +0\.01 ETH → 9\.\d+ VVV, gas 150000 \([\d.e-]+ ETH\), net 9\.\d+ VVV\n {4}aerodrome volatile +0\.01 ETH → 9\.\d+ VVV, gas 175000/,
    )
    const json = JSON.parse((await gondolaInProcess(['swap', '--eth', '0.01', '--dry-run', '--json'], env)).stdout)
    expect(json).toMatchObject({
      status: 'planned',
      route: 'uniswap-v3',
      comparison: { kind: 'exactIn', best: { route: 'uniswap-v3', fee: 3000, gas: '150000' } },
    })
    expect(json.comparison.candidates.map((c: { route: string }) => c.route)).toEqual(['uniswap-v3', 'aerodrome'])
    expect(await d.publicClient.getTransactionCount({ address: dev.address })).toBe(0)
  })

  it('provision --dry-run lists the venues compared for its swap', async () => {
    const d = devnet()
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-venues-cli-'))
    await publishDevnet(stateDir, d)
    const dev = d.accounts[6]!
    await d.fund(dev.address, { eth: parseEther('1') })
    const env = {
      ...process.env,
      GONDOLA_STATE_DIR: stateDir,
      GONDOLA_PRIVATE_KEY: dev.privateKey,
      NO_COLOR: '1',
      VENICE_API_BASE_URL: 'http://127.0.0.1:9/api/v1',
    }
    const text = (await gondolaInProcess(['provision', '--agents', 'a', '--stake-vvv', '10', '--dry-run'], env)).stdout
    expect(text).toMatch(
      /\n {2}swap venues compared:\n {4}venues, net of gas at [\d.]+ gwei:\n {4}\* uniswap-v3 fee 3000 +0\.01\d+ ETH → 10 VVV, gas 150000 .*, net 0\.01\d+ ETH with gas\n {6}aerodrome volatile +0\.01\d+ ETH → 10 VVV/,
    )
    expect(await d.publicClient.getTransactionCount({ address: dev.address })).toBe(0)
  })
})
