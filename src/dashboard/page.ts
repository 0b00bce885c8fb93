/**
 * The dashboard's single page: plain HTML, a little CSS and one script using ECharts (served from the package, no
 * build step). It reads `/api/data` (the same status object as `gondola status --json`, plus charts' series) and
 * refreshes when `/api/events` says a state file changed. It is served behind the session cookie (the one-time
 * token never reaches the page), and its inline style and script carry the response's CSP `nonce`.
 *
 * Presentation only: amounts are rounded for people as the CLI does (`src/cli/format.ts`: at most 6 decimals, a
 * dust amount keeps 2 significant digits), journal intents show their amount in tokens, text meets WCAG AA contrast
 * (4.5:1), and the layout reflows down to phone widths.
 *
 * @example
 * ```ts
 * reply.type('text/html').send(dashboardPage({ nonce }))
 * ```
 */
export function dashboardPage(o: { nonce: string }): string {
  const nonce = o.nonce.replace(/[^A-Za-z0-9+/=]/g, '')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gondola dashboard</title>
<style nonce="${nonce}">
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1c2430; }
  header { background: #12324a; color: #fff; padding: 12px 20px; display: flex; gap: 8px 24px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .muted { color: #c9d6e0; }
  #wallet { overflow-wrap: anywhere; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); min-width: 0; overflow-x: auto; }
  section h2 { font-size: 15px; margin: 0 0 8px; }
  .chart { height: 260px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e6e9ee; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.unfinished td { background: #fff4e0; }
  .pill { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e6eef5; color: #1c2430; font-size: 12px; }
  .bad { background: #fde2e2; color: #5c1111; }
  #live.on { background: #d7f5dd; color: #0b4d1c; }
  #balances { display: flex; flex-wrap: wrap; gap: 4px 16px; min-width: 0; }
  #balances span { white-space: nowrap; }
  @media (max-width: 600px) {
    header { padding: 10px 12px; }
    main { padding: 12px 8px; gap: 12px; }
    section { padding: 10px 10px; }
    th, td { padding: 4px 4px; }
  }
</style>
</head>
<body data-refreshes="0">
<header><h1>Gondola</h1><span id="wallet" class="muted"></span><span id="balances"></span><span class="muted">updated <span id="updated">—</span> <span id="live" class="pill">connecting</span></span></header>
<main>
  <section><h2>Balance and burn per key (Diem)</h2><div id="chart-keys" class="chart"></div></section>
  <section><h2>Spend per day per agent (Diem)</h2><div id="chart-spend" class="chart"></div></section>
  <section><h2>Keys: limits, expiry, runway</h2><table id="keys"><thead><tr><th>agent</th><th>key</th><th>limit</th><th>expires</th><th>spendable</th><th>burn/h</th><th>runway</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Agents</h2><table id="agents"><thead><tr><th>agent</th><th>runs</th><th>calls</th><th>tool errors</th><th>spent</th><th>last</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Top-ups and transactions (journal)</h2><table id="journal"><thead><tr><th>started</th><th>intent</th><th>status</th><th>transactions</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Diem autopilot</h2><div id="chart-autopilot" class="chart"></div><table id="autopilot"><tbody></tbody></table></section>
</main>
<script src="/assets/echarts.min.js" nonce="${nonce}"></script>
<script nonce="${nonce}">
const charts = {}
const chart = (id) => (charts[id] ??= echarts.init(document.getElementById(id), null, { renderer: 'svg' }))
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
// Display rounding, as the CLI's src/cli/format.ts does it: at most 6 decimals, trailing zeros dropped, and a
// non-zero amount too small for 6 keeps 2 significant digits (never shown as 0).
const trimZeros = (t) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\\.$/, '') : t)
const num = (n) => {
  if (n === null || n === undefined) return '—'
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n)
  let t = n.toFixed(6)
  if (n !== 0 && Number(t) === 0) t = Number(n.toPrecision(2)).toFixed(Math.min(20, Math.max(6, 1 - Math.floor(Math.log10(Math.abs(n))))))
  return trimZeros(t)
}
// A token amount: exact base units (BigInt) from a decimal string or a wei integer, rounded half-up to 6 decimals.
const units = (v, decimals) => {
  const [w, f = ''] = String(v).split('.')
  return BigInt(w + f.padEnd(decimals, '0').slice(0, decimals))
}
const amount = (v, fromWei) => {
  if (v === null || v === undefined || v === '') return '—'
  if (!/^-?\\d+(\\.\\d+)?$/.test(String(v))) return String(v)
  const negative = String(v).startsWith('-')
  const abs = units(String(v).replace('-', ''), fromWei ? 0 : 18)
  const unit = 10n ** 12n
  const rounded = ((abs + unit / 2n) / unit) * unit
  const text = (x) => { const s = x.toString().padStart(19, '0'); return trimZeros(s.slice(0, -18) + '.' + s.slice(-18)) }
  if (rounded === 0n && abs !== 0n) {
    const frac = abs.toString().padStart(18, '0')
    const lead = frac.length - frac.replace(/^0+/, '').length
    return (negative ? '-' : '') + trimZeros('0.' + frac.slice(0, lead + 2))
  }
  return (negative ? '-' : '') + text(rounded)
}
// Journal intents name an amount in base units (\`swapEthForVvv:2000000000000000\`): shown in tokens.
const INTENT_UNITS = { swapEthForVvv: 'ETH', swapEthForUsdc: 'ETH', topUp: 'ETH', stakeVvv: 'VVV', ensureStake: 'sVVV', initiateUnstake: 'sVVV', mintDiem: 'sVVV', stakeDiem: 'DIEM', ensureDiem: 'DIEM', burnDiem: 'DIEM', initiateDiemUnstake: 'DIEM' }
const intentText = (intent) => {
  const [name, value, ...rest] = String(intent ?? '').split(':')
  if (value === undefined) return name
  if (INTENT_UNITS[name] && /^\\d+$/.test(value)) return name + ' ' + amount(value, true) + ' ' + INTENT_UNITS[name] + (rest.length ? ' (' + rest.join(', ') + ')' : '')
  if (/^finalize/.test(name) && /^\\d{9,11}$/.test(value)) return name + ' (cooldown ended ' + new Date(Number(value) * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC)'
  return [name, value, ...rest].join(' ')
}
// The status model says how a runway reads (state): the page only formats it.
const runwayText = (r) => (r.state === 'draining' && r.runwayHours !== null ? num(r.runwayHours) + ' h' : r.state === 'idle' ? 'idle' : '—')

function render(d) {
  const s = d.status
  document.getElementById('wallet').textContent = s.wallet + ' · ' + s.network
  document.getElementById('balances').innerHTML =
    '<span>ETH <b data-testid="balance-eth">' + esc(amount(s.balances.eth)) + '</b></span>' +
    '<span>sVVV <b data-testid="balance-svvv">' + esc(amount(s.balances.svvv.total)) + '</b></span>' +
    '<span>DIEM staked <b data-testid="balance-diem-staked">' + esc(amount(s.balances.diem.staked)) + '</b></span>' +
    (s.rateLimits ? '<span>account <b data-testid="account-diem">' + esc(num(s.rateLimits.balances.DIEM ?? 0)) + '</b> Diem</span>' : '')

  const keyNames = Object.keys(d.keys)
  chart('chart-keys').setOption({
    tooltip: { trigger: 'axis' }, legend: { type: 'scroll', bottom: 0 }, grid: { left: 50, right: 60, top: 40, bottom: 55 },
    xAxis: { type: 'time' }, yAxis: [{ type: 'value', name: 'balance' }, { type: 'value', name: 'spent' }],
    series: keyNames.flatMap((k) => [
      { name: k + ' balance', type: 'line', showSymbol: false, data: d.keys[k].map((p) => [p.ts, p.balanceDiem]) },
      { name: k + ' spent', type: 'line', yAxisIndex: 1, showSymbol: false, lineStyle: { type: 'dashed' }, data: d.keys[k].map((p) => [p.ts, p.spentDiem]) },
    ]),
  }, true)
  chart('chart-spend').setOption({
    tooltip: { trigger: 'axis' }, legend: { bottom: 0 }, grid: { left: 60, right: 20, top: 30, bottom: 55 },
    xAxis: { type: 'category', data: d.spendPerDay.days }, yAxis: { type: 'value' },
    series: Object.entries(d.spendPerDay.agents).map(([a, v]) => ({ name: a, type: 'bar', stack: 'spend', data: v })),
  }, true)

  const runway = Object.fromEntries(s.runways.map((r) => [r.keyId, r]))
  document.querySelector('#keys tbody').innerHTML = s.keys.filter((k) => k.apiKeyType === 'INFERENCE').map((k) => {
    const r = runway[k.id] || {}
    const limit = k.consumptionLimit.diem != null ? k.consumptionLimit.diem + ' Diem/' + (k.limitPeriod || 'EPOCH') : 'unlimited'
    return '<tr data-testid="key-' + esc(k.agent) + '"><td>' + esc(k.agent) + '</td><td>' + esc(k.redacted) + '</td><td>' + esc(limit) + '</td><td>' + esc(k.expiresAt || 'never') +
      '</td><td class="num" data-testid="spendable-' + esc(k.agent) + '">' + num(r.spendable) + '</td><td class="num">' + num(r.burnPerHour) +
      '</td><td class="num" data-testid="runway-' + esc(k.agent) + '">' + runwayText(r) + '</td></tr>'
  }).join('')
  document.querySelector('#agents tbody').innerHTML = d.agents.map((a) =>
    '<tr data-testid="agent-' + esc(a.agent) + '"><td>' + esc(a.agent) + '</td><td class="num">' + a.runs + '</td><td class="num">' + a.calls + '</td><td class="num' + (a.toolErrors ? ' bad' : '') + '">' + a.toolErrors +
    '</td><td class="num">' + num(a.spentDiem) + '</td><td>' + esc(a.lastStatus || '') + '</td></tr>').join('')
  document.querySelector('#journal tbody').innerHTML = d.journal.map((r) =>
    '<tr class="' + (r.unfinished ? 'unfinished' : '') + '"><td>' + esc(r.createdAt) + '</td><td data-intent="' + esc(r.intent) + '">' + esc(intentText(r.intent)) + '</td><td><span class="pill' + (r.unfinished ? ' bad' : '') + '">' + esc(r.status) + '</span></td><td>' +
    r.steps.map((st) => esc(st.label) + ' <code>' + esc(st.hash.slice(0, 10)) + '…</code> ' + esc(st.status)).join('<br>') + '</td></tr>').join('')

  const hist = d.autopilot
  chart('chart-autopilot').setOption({
    tooltip: { trigger: 'axis' }, legend: { bottom: 0 }, grid: { left: 60, right: 20, top: 30, bottom: 55 },
    title: hist.length ? undefined : { text: 'no autopilot history yet', left: 'center', top: 'middle', textStyle: { fontSize: 13, color: '#888' } },
    xAxis: { type: 'category', data: hist.map((h) => String(h.day ?? h.date ?? h.ts ?? h.at ?? '').slice(0, 10)) }, yAxis: { type: 'value' },
    series: [
      { name: 'allowance', type: 'line', data: hist.map((h) => h.allowanceDiemPerDay ?? h.allowance ?? null) },
      { name: 'spend', type: 'bar', data: hist.map((h) => h.spendDiem ?? h.spend ?? null) },
    ],
  }, true)
  document.querySelector('#autopilot tbody').innerHTML = hist.slice(-5).reverse().map((h) => '<tr><td>' + esc(String(h.day ?? h.date ?? h.ts ?? h.at ?? '')) + '</td><td>' + esc(JSON.stringify(h.actions ?? h.plan ?? '')) + '</td></tr>').join('')

  document.getElementById('updated').textContent = new Date().toISOString().slice(11, 19) + ' UTC'
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes) + 1)
}

async function refresh() {
  const res = await fetch('/api/data')
  if (res.ok) render(await res.json())
}
refresh()
const events = new EventSource('/api/events')
const live = (text, on) => { const el = document.getElementById('live'); el.textContent = text; el.classList.toggle('on', on) }
events.addEventListener('hello', () => live('live', true))
events.addEventListener('update', () => refresh())
events.onerror = () => live('reconnecting', false)
addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()))
</script>
</body>
</html>
`
}
