import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser } from 'playwright-core'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { readEnv } from '../src/config/env.js'
import { startDashboard } from '../src/dashboard/startDashboard.js'
import { writeDevnetInfo } from '../src/chain/devnetInfo.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const run = promisify(execFile)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const treasurer = defineAgent({ name: 'treasurer', model: 'qwen3-4b', tools: ['get_wallet_balances', 'get_runway'], prompt: 'Call get_wallet_balances, then get_runway, and report.' })

let browser: Browser
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})
afterAll(async () => {
  await browser?.close()
})

describe('gondola dashboard in a real browser', () => {
  it('shows live charts while an agent runs; its numbers match `gondola status --json`; a wrong token gets 401', async () => {
    const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
    await writeDevnetInfo(stateDir, { rpcUrl: devnet().rpcUrl, chainId: devnet().chainId, addresses: devnet().addresses, accounts: [], veniceBaseUrl: emulator().baseURL })
    const vars = { GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: wallet.privateKey, VENICE_API_BASE_URL: emulator().baseURL }
    const env = readEnv(vars)
    const host = createAgentHost({
      wallet, store, baseURL: emulator().baseURL, outboxDir: join(stateDir, 'outbox'),
      ledgerPath: join(stateDir, 'ledger.jsonl'), runsPath: join(stateDir, 'runs.jsonl'),
      funding: { minRunwayHours: 0.001, cooldownMs: 60_000, ethPerTopUp: parseEther('0.01'), mintDiem: true },
    })
    const dash = await startDashboard({ env, wallet, store, pollMs: 100 })
    try {
      await host.run(treasurer)
      await host.ledger.flush()
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
      await page.goto(dash.url)
      await page.waitForFunction('Number(document.body.dataset.refreshes) >= 1')
      const before = Number(await page.getAttribute('body', 'data-refreshes'))

      // A second run while the page is open: the SSE update makes the page refresh itself.
      await host.run(treasurer)
      await host.ledger.flush()
      await page.waitForFunction(`Number(document.body.dataset.refreshes) > ${before}`)
      await page.waitForFunction(`document.querySelector('[data-testid="agent-treasurer"] td:nth-child(2)')?.textContent === '2'`)

      // The charts rendered (ECharts' SVG renderer): lines for the key, bars for the agent's spend.
      expect(await page.locator('#chart-keys svg path').count()).toBeGreaterThan(2)
      expect(await page.locator('#chart-spend svg path').count()).toBeGreaterThan(1)
      expect(await page.locator('#journal tbody tr').count()).toBeGreaterThanOrEqual(1)

      // Same numbers as the CLI.
      const { stdout } = await run(process.execPath, ['bin/gondola.js', 'status', '--json'], { env: { ...process.env, ...vars, GONDOLA_KEYSTORE_PASSWORD: '' }, timeout: 60_000 })
      const status = JSON.parse(stdout) as { balances: { eth: string; svvv: { total: string }; diem: { staked: string } }; runways: { agent: string; runwayHours: number | null; spendable: number | null }[] }
      expect(await page.textContent('[data-testid="balance-eth"]')).toBe(status.balances.eth)
      expect(await page.textContent('[data-testid="balance-svvv"]')).toBe(status.balances.svvv.total)
      expect(await page.textContent('[data-testid="balance-diem-staked"]')).toBe(status.balances.diem.staked)
      const r = status.runways.find((x) => x.agent === 'treasurer')!
      expect(await page.textContent('[data-testid="runway-treasurer"]')).toBe(r.runwayHours === null ? 'idle' : `${r.runwayHours} h`)
      expect(await page.textContent('[data-testid="spendable-treasurer"]')).toBe(String(r.spendable))

      await mkdir('test/artifacts', { recursive: true })
      await page.screenshot({ path: 'test/artifacts/dashboard.png', fullPage: true })

      // The token is the only way in.
      expect((await fetch(dash.url.replace(/token=[^&]+/, 'token=wrong'))).status).toBe(401)
      expect((await fetch(`${dash.origin}/api/status`)).status).toBe(401)
      const denied = await browser.newPage()
      expect((await denied.goto(`${dash.origin}/`))?.status()).toBe(401)
      const html = await (await fetch(`${dash.origin}/api/data?token=${dash.token}`)).text()
      for (const k of store.keys()) expect(html).not.toContain(store.reveal(k.id))
    } finally {
      host.close()
      await dash.close()
    }
  })
})
