import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { request as httpRequest } from 'node:http'
import { chromium, type Browser, type Page } from 'playwright-core'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { formatAmount, formatNumber } from '../src/cli/format.js'
import { readEnv } from '../src/config/env.js'
import { startDashboard } from '../src/dashboard/startDashboard.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const run = promisify(execFile)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const treasurer = defineAgent({
  name: 'treasurer',
  model: 'qwen3-4b',
  tools: ['get_wallet_balances', 'get_runway'],
  prompt: 'Call get_wallet_balances, then get_runway, and report.',
})

let browser: Browser
beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // rebind.test resolves to 127.0.0.1, as a DNS-rebinding attacker's name would.
    args: [
      '--headless',
      '--no-sandbox',
      '--host-resolver-rules=MAP rebind.test 127.0.0.1',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
})
afterAll(async () => {
  await browser?.close()
})

describe('gondola dashboard in a real browser', () => {
  it('shows live charts while an agent runs; its numbers match `gondola status --json`; a wrong token gets 401', async () => {
    const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
    await publishDevnet(stateDir, devnet(), emulator().baseURL)
    const vars = { GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: wallet.privateKey, VENICE_API_BASE_URL: emulator().baseURL }
    const env = readEnv(vars)
    const host = createAgentHost({
      wallet,
      store,
      baseURL: emulator().baseURL,
      outboxDir: join(stateDir, 'outbox'),
      state: { ledgerPath: join(stateDir, 'ledger.jsonl'), runsPath: join(stateDir, 'runs.jsonl') },
      funding: { minRunwayHours: 0.001, cooldownMs: 60_000, ethPerTopUp: parseEther('0.01'), mintDiem: true },
    })
    const dash = await startDashboard({ env, wallet, store, pollMs: 100 })
    try {
      await host.run(treasurer)
      await host.ledger.flush()
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
      await page.goto(dash.url)
      await until(page, 'Number(document.body.dataset.refreshes) >= 1')
      const before = Number(await page.getAttribute('body', 'data-refreshes'))

      // A second run while the page is open: the SSE update makes the page refresh itself.
      await host.run(treasurer)
      await host.ledger.flush()
      await until(page, `Number(document.body.dataset.refreshes) > ${before}`)
      await until(page, `document.querySelector('[data-testid="agent-treasurer"] td:nth-child(2)')?.textContent === '2'`)

      // The charts rendered (ECharts' SVG renderer): lines for the key, bars for the agent's spend.
      expect(await page.locator('#chart-keys svg path').count()).toBeGreaterThan(2)
      expect(await page.locator('#chart-spend svg path').count()).toBeGreaterThan(1)
      expect(await page.locator('#journal tbody tr').count()).toBeGreaterThanOrEqual(1)

      // Same numbers as the CLI.
      const { stdout } = await run(process.execPath, ['bin/gondola.js', 'status', '--json'], {
        env: { ...process.env, ...vars, GONDOLA_KEYSTORE_PASSWORD: '' },
        timeout: 60_000,
      })
      const status = JSON.parse(stdout) as {
        balances: { eth: string; svvv: { total: string }; diem: { staked: string } }
        runways: { agent: string; runwayHours: number | null; spendable: number | null; state: string }[]
      }
      // Same numbers as the CLI, rounded for people the way the CLI rounds them (at most 6 decimals).
      const shown = (decimal: string) => formatAmount(parseEther(decimal))
      expect(status.balances.eth.split('.')[1]?.length ?? 0).toBeGreaterThan(6) // the case worth checking
      expect(await page.textContent('[data-testid="balance-eth"]')).toBe(shown(status.balances.eth))
      expect(await page.textContent('[data-testid="balance-svvv"]')).toBe(shown(status.balances.svvv.total))
      expect(await page.textContent('[data-testid="balance-diem-staked"]')).toBe(shown(status.balances.diem.staked))
      const r = status.runways.find((x) => x.agent === 'treasurer')!
      // The treasurer has spent: its runway is hours, never "idle" (issue #26).
      expect(r.state).toBe('draining')
      expect(await page.textContent('[data-testid="runway-treasurer"]')).toBe(`${formatNumber(r.runwayHours!)} h`)
      expect(await page.textContent('[data-testid="spendable-treasurer"]')).toBe(r.spendable === null ? '—' : formatNumber(r.spendable))

      await mkdir('test/artifacts', { recursive: true })
      await page.screenshot({ path: 'test/artifacts/dashboard.png', fullPage: true })

      // The token is the only way in (and it is spent now: the session cookie is).
      expect((await fetch(dash.url.replace(/token=[^&]+/, 'token=wrong'))).status).toBe(401)
      expect((await fetch(`${dash.origin}/api/status`)).status).toBe(401)
      const denied = await browser.newPage()
      expect((await denied.goto(`${dash.origin}/`))?.status()).toBe(401)
      await denied.close()
      const html = await page.evaluate(async () => (await fetch('/api/data')).text())
      expect(html).toContain('"status"')
      for (const k of store.keys()) expect(html).not.toContain(store.reveal(k.id))
    } finally {
      host.close()
      await dash.close()
    }
  })

  it('the URL token is one-time: exchanged for an HttpOnly SameSite=Strict cookie, refused in a second context; CSP, no-referrer and a Host check', async () => {
    const dash = await dashboardOnProvisionedWallet()
    const first = await browser.newContext()
    const second = await browser.newContext()
    try {
      const port = new URL(dash.origin).port
      // A DNS name that resolves to 127.0.0.1 (DNS rebinding) is refused before the token is even looked at.
      const rebound = await (await browser.newPage()).goto(`http://rebind.test:${port}/?token=${dash.token}`)
      expect(rebound?.status()).toBe(421)
      expect(await rawStatus(Number(port), '/', 'attacker.example:' + port)).toBe(421)
      expect(await rawStatus(Number(port), '/', `127.0.0.1:${Number(port) + 1}`)).toBe(421)
      // This machine by name or address: let through to the token check (no cookie yet: 401).
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect(await rawStatus(Number(port), '/', host)).toBe(401)

      const page = await first.newPage()
      const violations: string[] = []
      page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()))
      await page.addInitScript(
        "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
      )
      const response = await page.goto(dash.url)
      // Exchanged: the address bar no longer carries the token.
      expect(page.url()).toBe(`${dash.origin}/`)
      await until(page, 'Number(document.body.dataset.refreshes) >= 1')
      await until(page, `document.getElementById('live')?.textContent === 'live'`)
      const headers = response!.headers()
      expect(headers['referrer-policy']).toBe('no-referrer')
      expect(headers['x-content-type-options']).toBe('nosniff')
      const csp = headers['content-security-policy']!
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}'/)
      expect(csp).not.toContain("script-src 'self' 'unsafe-inline'")
      // The page and the charts run under it: nothing was blocked.
      expect(await page.locator('#chart-keys svg').count()).toBe(1)
      expect(violations).toEqual([])

      const cookies = await first.cookies()
      expect(cookies).toHaveLength(1)
      expect(cookies[0]).toMatchObject({ name: `gondola_dashboard_${port}`, httpOnly: true, sameSite: 'Strict', path: '/' })
      expect(await page.evaluate('document.cookie')).toBe('') // HttpOnly: no script reads it
      expect(await page.content()).not.toContain(dash.token)

      // The same URL in a second browser context: the token is spent.
      const other = await second.newPage()
      const refused = await other.goto(dash.url)
      expect(refused?.status()).toBe(401)
      expect(await other.textContent('body')).toContain('already used')
      expect(await second.cookies()).toEqual([])
      expect(await other.evaluate(async () => (await fetch('/api/data')).status)).toBe(401)
      // The first context keeps working (a reload; the token URL again just redirects).
      expect((await page.reload())?.status()).toBe(200)
      expect((await page.goto(dash.url))?.status()).toBe(200)
      expect(page.url()).toBe(`${dash.origin}/`)
    } finally {
      await first.close()
      await second.close()
      await dash.close()
    }
  })

  it('presentation: at most 6 decimals, intents in tokens, WCAG AA contrast, and no card cut off at 420 px', async () => {
    const dash = await dashboardOnProvisionedWallet()
    const context = await browser.newContext({ viewport: { width: 420, height: 900 } })
    try {
      const page = await context.newPage()
      await page.goto(dash.url)
      await until(page, 'Number(document.body.dataset.refreshes) >= 1')
      await until(page, `document.getElementById('live')?.textContent === 'live'`)

      // Amounts: no more than 6 decimals anywhere on the page.
      for (const id of ['balance-eth', 'balance-svvv', 'balance-diem-staked'])
        expect(await page.textContent(`[data-testid="${id}"]`)).toMatch(/^\d+(\.\d{1,6})?$/)
      // Journal intents: tokens, not wei (provisioning swapped ETH and staked VVV).
      const intents = await page
        .locator('#journal td[data-intent]')
        .evaluateAll((tds) => tds.map((td) => ({ raw: td.getAttribute('data-intent')!, shown: td.textContent! })))
      expect(intents.length).toBeGreaterThanOrEqual(1)
      for (const i of intents) expect(i.shown).not.toMatch(/\d{7,}/)
      expect(intents.map((i) => i.shown).join('\n')).toMatch(/\b\d+(\.\d{1,6})? (ETH|VVV|sVVV|DIEM)\b/)
      for (const i of intents.filter((x) => /^swapEthForVvv:\d+$/.test(x.raw)))
        expect(i.shown).toBe(`swapEthForVvv ${formatAmount(BigInt(i.raw.split(':')[1]!))} ETH`)

      // Contrast, from the computed styles: the live badge and every other piece of text meet WCAG AA (4.5:1).
      const ratios = await contrastRatios(page, '#live, header h1, header .muted, #balances span, .pill, section h2, th, td')
      const live = ratios.find((r) => r.id === 'live')!
      expect(live.ratio).toBeGreaterThanOrEqual(4.5)
      for (const r of ratios) expect(r, `${r.selector} "${r.text}"`).toMatchObject({ ratio: expect.any(Number) })
      expect(ratios.filter((r) => r.ratio < 4.5)).toEqual([])

      // 420 px: nothing is wider than the viewport; every card fits inside it.
      const layout = (await page.evaluate(`({
        wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 420).slice(0, 8).map((e) => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)),
        scrollWidth: document.documentElement.scrollWidth,
        cards: [...document.querySelectorAll('section')].map((s) => ({
          left: s.getBoundingClientRect().left,
          right: s.getBoundingClientRect().right,
          // A wide table scrolls inside its card rather than being cut off.
          reachable: s.scrollWidth <= s.clientWidth || ['auto', 'scroll'].includes(getComputedStyle(s).overflowX),
        })),
      })`)) as { wide: string[]; scrollWidth: number; cards: { left: number; right: number; reachable: boolean }[] }
      expect(layout.scrollWidth, layout.wide.join(', ')).toBeLessThanOrEqual(420)
      for (const c of layout.cards) {
        expect(c.left).toBeGreaterThanOrEqual(0)
        expect(c.right).toBeLessThanOrEqual(420)
        expect(c.reachable).toBe(true)
      }
      await mkdir('test/artifacts', { recursive: true })
      await page.screenshot({ path: 'test/artifacts/dashboard-420.png', fullPage: true })
    } finally {
      await context.close()
      await dash.close()
    }
  })
})

/** A dashboard over a freshly provisioned wallet (its journal holds the provisioning's swap and stake). */
async function dashboardOnProvisionedWallet() {
  const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
  await publishDevnet(stateDir, devnet(), emulator().baseURL)
  const env = readEnv({ GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: wallet.privateKey, VENICE_API_BASE_URL: emulator().baseURL })
  return startDashboard({ env, wallet, store, pollMs: 100 })
}

/**
 * Waits until `expression` is true in the page. Evaluated through Playwright's protocol (`page.evaluate`), not
 * `waitForFunction`, whose string predicates run through `eval` inside the page, which the dashboard's CSP forbids.
 */
async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The status of a GET sent with a chosen Host header (fetch cannot set Host). */
function rawStatus(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

/** WCAG 2 contrast ratio of each matching element's text colour against the first opaque background behind it. */
async function contrastRatios(page: Page, selector: string) {
  return (await page.evaluate(`(() => {
    const rgb = (c) => (c.match(/[\\d.]+/g) ?? []).map(Number)
    const ch = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4 }
    const lum = ([r, g, b]) => 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor)
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3)
      }
      return [255, 255, 255]
    }
    return [...document.querySelectorAll(${JSON.stringify(selector)})]
      .filter((el) => (el.textContent ?? '').trim() !== '')
      .map((el) => {
        const fg = lum(rgb(getComputedStyle(el).color).slice(0, 3))
        const bg = lum(background(el))
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)
        return { id: el.id, selector: el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''), text: (el.textContent ?? '').trim().slice(0, 30), ratio: Math.round(ratio * 100) / 100 }
      })
  })()`)) as { id: string; selector: string; text: string; ratio: number }[]
}
