/**
 * Agent-loop figures (issues #6 and #18), each against a bare `openai` SDK loop measured in the same
 * run. The emulator runs in its own process (`lib/emulatorChild.ts`), so its CPU time is not charged
 * to the loop, and requests are counted at the server: a round whose server-side request count differs
 * from the steps the loop reports is an error, not a figure. The sides' measurements are interleaved (blocks taken in
 * turns for the loop row; a b, b a, … rounds for the others) and a ratio is the median of the per-round ratios, with its spread.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import OpenAI from 'openai'
import { Agent } from 'undici'
import type { Address } from 'viem'
import { createStaticChainReader } from '../../devnet/src/emulator/chainReader.js'
import { startEmulator, type Emulator } from '../../devnet/src/emulator/startEmulator.js'
import { createLedger, createRunner, type LimiterClock } from '../../src/agent/index.js'
import { sleep } from '../../src/util/sleep.js'
import { startRemoteEmulator, type RemoteEmulator } from './lib/remoteEmulator.js'
import { add, bareRun, MODEL, PROMPT } from './lib/loops.js'
import { createCannedFetch } from './lib/cannedFetch.js'
import { pinToCore } from './lib/pin.js'
import { interleave, median, quartiles, range } from './lib/stats.js'
import type { BenchRow } from './types.js'

const OWNER: Address = '0x00000000000000000000000000000000000BE4C4'
const UNLIMITED = { global: { rpm: 1e9, tpm: 1e12, rpd: 1e12 } }

type LoopSide = 'gondola' | 'bare' | 'bareNoFollow' | 'aisdk'
type LoopBlock = { steps: number; cpuUs: number; wallMs: number }

/** A side's process in a round: warmed up, waiting for blocks. */
type LoopProcess = { block: (runs: number) => Promise<LoopBlock>; done: () => Promise<void> }

/** Starts one side in a process of its own (`lib/loopChild.ts`) and resolves once it has warmed up. */
function startLoopProcess(em: RemoteEmulator, apiKey: string, side: LoopSide, warm: number, pinned: boolean): Promise<LoopProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./lib/loopChild.ts', import.meta.url)), [side, em.baseURL, apiKey], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_LOOP_WARM: String(warm) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    if (pinned) pinToCore(child.pid!, 0)
    let pending: { resolve: (b: LoopBlock) => void; reject: (e: Error) => void } | undefined
    const exited = new Promise<number | null>((r) => child.once('exit', r))
    child.on('error', reject)
    void exited.then((code) => {
      const err = new Error(`bench loop child (${side}) exited with code ${code}`)
      pending?.reject(err)
      reject(err)
    })
    child.on('message', (m: { warmed?: boolean; block?: LoopBlock }) => {
      if (m.warmed) resolve(handle)
      else if (m.block) pending?.resolve(m.block)
    })
    const handle: LoopProcess = {
      // Each block is checked at the server: it must have made exactly the chat requests it reports.
      block: async (runs) => {
        await em.resetStats()
        const block = await new Promise<LoopBlock>((res, rej) => {
          pending = { resolve: res, reject: rej }
          child.send({ block: runs })
        })
        pending = undefined
        const { chatRequests } = await em.stats()
        if (chatRequests !== block.steps) throw new Error(`the server saw ${chatRequests} chat requests for ${block.steps} steps (${side})`)
        return block
      },
      done: async () => {
        if (child.connected) child.send({ done: true }) // a child that died has nothing left to stop
        await exited
      },
    }
  })
}

/**
 * One round of the loop row: each side in a fresh process, started and warmed up one after the other, then `blocks`
 * blocks of `runs` runs, taking turns (in an order that rotates every block), so that the blocks compared ran
 * within a second of each other: the machine's speed drifts over tens of seconds (a shared VM), and comparing
 * whole processes run one after the other mixed that drift into the ratio.
 */
async function loopRound(
  em: RemoteEmulator,
  apiKey: string,
  sides: LoopSide[],
  o: { warm: number; blocks: number; runs: number; pinned: boolean },
): Promise<Record<LoopSide, LoopBlock[]>> {
  const procs: Partial<Record<LoopSide, LoopProcess>> = {}
  try {
    for (const side of sides) procs[side] = await startLoopProcess(em, apiKey, side, o.warm, o.pinned)
    const out = Object.fromEntries(sides.map((side) => [side, [] as LoopBlock[]])) as Record<LoopSide, LoopBlock[]>
    for (let b = 0; b < o.blocks; b++) {
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(b + k) % sides.length]!
        out[side].push(await procs[side]!.block(o.runs))
      }
    }
    return out
  } finally {
    await Promise.all(Object.values(procs).map((p) => p.done()))
  }
}

/**
 * Per-step loop time, one agent at a time: the loop's own overhead on top of the SDK. Each round starts the four
 * sides (Gondola, the bare SDK, the bare SDK without following redirects, the AI SDK) in fresh processes, warms
 * each up (the loop and the emulator take a few thousand steps to reach their steady speed), then has them take
 * turns running blocks (see `loopRound`); a ratio is the median of the per-round ratios.
 */
export async function overhead(em: RemoteEmulator): Promise<BenchRow[]> {
  const apiKey = await em.createKey(OWNER)
  // The emulator (and this process, which only waits) on core 1, each loop process on core 0.
  const pinned = pinToCore(em.pid, 1) && pinToCore(process.pid, 1)
  await loopRound(em, apiKey, ['bare'], { warm: 2_000, blocks: 1, runs: 1, pinned }) // brings the emulator process to its steady speed
  const rounds = 9
  const sides: LoopSide[] = ['gondola', 'bare', 'bareNoFollow', 'aisdk']
  // Per round and side: its blocks (10 of 100 runs), taken in turns with the other sides' blocks.
  const raw: Record<LoopSide, LoopBlock[]>[] = []
  for (let r = 0; r < rounds; r++) raw.push(await loopRound(em, apiKey, r % 2 ? [...sides].reverse() : sides, { warm: 1_000, blocks: 10, runs: 100, pinned }))
  if (pinned) {
    pinToCore(em.pid, 'all')
    pinToCore(process.pid, 'all')
  }
  const wall = (x: LoopBlock) => x.wallMs / x.steps
  // Wall time per step is the goal's figure; the process's CPU time per step is also kept, because on
  // a shared machine it moves far less with other processes' load than wall time does.
  const cpu = (x: LoopBlock) => x.cpuUs / x.steps
  // A side's figure in a round: the median of its blocks. A ratio in a round: the median of its block-by-block
  // ratios (each block against the other side's block of the same turn). Over rounds: medians, with the spread.
  const figure = (side: LoopSide, f: (x: LoopBlock) => number) => raw.map((round) => median(round[side].map(f)))
  const ratios = (side: LoopSide, f: (x: LoopBlock) => number, against: LoopSide = 'bare') =>
    raw.map((round) => median(round[side].map((x, i) => f(x) / f(round[against][i]!))))
  const r = { a: figure('gondola', wall), b: figure('bare', wall), ratios: ratios('gondola', wall) }
  const cpuRatios = ratios('gondola', cpu)
  const aiWall = ratios('aisdk', wall)
  const aiVsOurs = ratios('aisdk', wall, 'gondola')
  const noFollow = ratios('bareNoFollow', wall)
  const oursVsNoFollow = ratios('gondola', wall, 'bareNoFollow')
  const own = await ownCost()
  // The goal's ratio estimated from parts that hold still under load: (a real bare step + what Gondola adds) / a real bare step.
  const realStep = median(figure('bare', cpu))
  const [q1, q3] = quartiles(own.added)
  return [
    {
      issue: 18,
      metric:
        'agent loop: time per step (2-step tool run; each side in its own warmed-up process per round; emulator in its own process) vs bare openai SDK loop',
      value: median(r.a),
      baseline: median(r.b),
      ratio: median(r.ratios),
      unit: 'ms',
      goal: '≤ 1.05× bare',
      spread: `ratio ${range(r.ratios)} over ${r.ratios.length} rounds (a round: fresh warmed-up processes taking turns, 10 blocks of 100 runs each; its ratio: the median of block-by-block ratios)${pinned ? '; client and emulator pinned to separate cores' : ''}`,
    },
    {
      issue: 18,
      metric: 'agent loop: client CPU time per step (same rounds; steadier than wall time under load)',
      value: median(figure('gondola', cpu)),
      baseline: realStep,
      ratio: median(cpuRatios),
      unit: 'µs',
      goal: '≤ 1.05× bare',
      spread: `ratio ${range(cpuRatios)} over ${cpuRatios.length} rounds`,
    },
    {
      issue: 18,
      metric:
        "agent loop: (reference) the bare loop with fetchOptions { redirect: 'error' }, the one fetch option Gondola's client sets (fetch then skips cloning each request), same rounds, vs the bare default",
      value: median(figure('bareNoFollow', wall)),
      baseline: median(r.b),
      ratio: median(noFollow),
      unit: 'ms',
      spread: `ratio ${range(noFollow)}; Gondola is ${median(oursVsNoFollow).toFixed(2)}× this loop's time per step (${range(oursVsNoFollow)})`,
    },
    {
      issue: 18,
      metric: 'agent loop: AI SDK 6 generateText (OpenAI-compatible provider, same tool) time per step, same rounds, vs bare openai SDK loop',
      value: median(figure('aisdk', wall)),
      baseline: median(r.b),
      ratio: median(aiWall),
      unit: 'ms',
      spread: `ratio ${range(aiWall)}; Gondola is ${median(aiVsOurs).toFixed(2)}× faster per step (${range(aiVsOurs)})`,
    },
    {
      issue: 18,
      metric:
        "agent loop: CPU Gondola adds per step without the network (runner with its ledger minus the bare loop, both through the openai SDK on a canned fetch), against a real bare step's client CPU above",
      value: median(own.added),
      baseline: realStep,
      ratio: (realStep + median(own.added)) / realStep,
      unit: 'µs',
      goal: '≤ 1.05× bare',
      spread: `median of ${own.added.length} block-pair differences, quartiles ${q1.toFixed(1)} to ${q3.toFixed(1)} µs (Gondola ${own.ours.toFixed(1)} µs vs bare ${own.bare.toFixed(1)} µs per canned step)`,
    },
  ]
}

/**
 * What Gondola costs per step without the network: a runner with its ledger (as the loop child runs it) and the bare
 * loop, both through the openai SDK on a canned `fetch` (`lib/cannedFetch.ts`), so everything but the socket is
 * measured: request building, headers, parsing, and Gondola's limiter, monitor, accounting and ledger. The two take
 * turns in blocks of 200 runs (alternating which goes first) and each block pair gives one difference in CPU time per
 * step, so the machine's drift (tens of seconds) falls on both sides of every difference; `added` holds them all.
 */
export async function ownCost(blocks = 100): Promise<{ added: number[]; ours: number; bare: number }> {
  const baseURL = 'http://canned.invalid/api/v1'
  const runner = createRunner({ baseURL, keys: [{ name: 'k', apiKey: 'canned' }], ledger: createLedger(), fetch: createCannedFetch() })
  const openai = new OpenAI({ apiKey: 'canned', baseURL, maxRetries: 0, fetch: createCannedFetch() })
  const ours = async () => {
    const r = await runner.run({ agent: 'bench', prompt: PROMPT, tools: [add], model: MODEL })
    if (r.status !== 'completed') throw new Error(`bench: the canned Gondola run ended ${r.status}${r.error ? `: ${r.error.message}` : ''}`)
    return r.steps
  }
  const bare = async () => (await bareRun(openai, PROMPT, true)).steps
  const block = async (fn: () => Promise<number>, runs = 200) => {
    const c0 = process.cpuUsage()
    let steps = 0
    for (let i = 0; i < runs; i++) steps += await fn()
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / steps
  }
  await block(ours, 2_000)
  await block(bare, 2_000)
  const added: number[] = []
  const oursUs: number[] = []
  const bareUs: number[] = []
  for (let k = 0; k < blocks; k++) {
    let o: number
    let b: number
    if (k % 2) {
      o = await block(ours)
      b = await block(bare)
    } else {
      b = await block(bare)
      o = await block(ours)
    }
    oursUs.push(o)
    bareUs.push(b)
    added.push(o - b)
  }
  runner.close()
  return { added, ours: median(oursUs), bare: median(bareUs) }
}

/** Every message down an error's cause chain, e.g. "Connection error. / fetch failed / other side closed". */
function causes(e: unknown): string {
  const out: string[] = []
  for (let c = e; c && out.length < 6; c = (c as { cause?: unknown }).cause)
    out.push(c instanceof Error ? `${c.message}${(c as { code?: string }).code ? ` (${(c as { code?: string }).code})` : ''}` : String(c))
  return out.join(' / ')
}

/**
 * Bytes held by JavaScript: the V8 heap plus ArrayBuffer backing stores. A typed array's data lives outside the V8
 * heap, so `heapUsed` alone would not see the ledger's number columns (`Float64Array`s).
 */
const heapBytes = (): number => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/**
 * A full GC that also lets finalizers run: Node's fetch registers every response with a
 * `FinalizationRegistry`, and what those callbacks release stays on the heap until they run on a later
 * turn. Measured straight after one `gc()`, that backlog (about 1.5 KiB per request) hid what each agent keeps.
 */
function gcFn(): { now: () => void; settled: () => Promise<void> } {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  return {
    now: gc,
    settled: async () => {
      for (let i = 0; i < 4; i++) {
        gc()
        await sleep(10)
      }
      gc()
    },
  }
}

/**
 * `n` agents at once in this process, through one pool of `connections` sockets on both sides.
 * Measures steps/s and the heap each agent leaves behind (its conversation and result; Gondola's
 * also its ledger line). Any failed agent makes the bench fail.
 */
async function fleet(
  em: RemoteEmulator,
  n: number,
  tools: boolean,
  connections: number,
  rounds: number,
): Promise<{
  ours: number[]
  bare: number[]
  ratios: number[]
  heapOurs: number[]
  heapBare: number[]
  inFlightOurs: number[]
  inFlightBare: number[]
  resultsOurs: number[]
  resultsBare: number[]
  maxOpen: number
  retried: { ours: number; bare: number }
  failures: { ours: number; bare: number }
}> {
  const apiKey = await em.createKey(OWNER)
  const gc = gcFn()
  const heapOurs: number[] = []
  const heapBare: number[] = []
  const resultsOurs: number[] = []
  const resultsBare: number[] = []
  const inFlightOurs: number[] = []
  const inFlightBare: number[] = []
  let maxOpen = 0
  const retried = { ours: 0, bare: 0 }
  const failures = { ours: 0, bare: 0 }
  type Outcome = { steps: number; ok: boolean; why?: string | undefined }
  const measure = async (start: () => { run: (i: number) => Promise<Outcome>; close: () => Promise<void>; release: () => void }, heap: number[]) => {
    const side = start()
    process.stderr.write(`bench: ${n} agents, ${heap === heapOurs ? 'gondola' : 'bare'} round…\n`)
    await side.run(-1) // one warm request, so the first batch does not pay set-up
    await gc.settled()
    const before = heapBytes()
    await em.resetStats()
    const t0 = performance.now()
    // Halfway through, a full GC: what is live while half the agents are still in flight (conversations,
    // queued requests, the loop's own state), not counting garbage. Finalizers cannot run mid-run, so both
    // sides carry their backlog of finished responses here alike.
    let done = 0
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        side.run(i).then((r) => {
          if (++done === n / 2) {
            gc.now()
            ;(heap === heapOurs ? inFlightOurs : inFlightBare).push((heapBytes() - before) / n / 1024)
          }
          return r
        }),
      ),
    )
    const seconds = (performance.now() - t0) / 1000
    const stats = await em.stats()
    await gc.settled()
    heap.push((heapBytes() - before) / n / 1024)
    // Then without the runner and its in-memory ledger: what each agent's own result holds.
    side.release()
    await gc.settled()
    ;(heap === heapOurs ? resultsOurs : resultsBare).push((heapBytes() - before) / n / 1024)
    const failed = results.filter((r) => !r.ok)
    const steps = results.reduce((s, r) => s + r.steps, 0)
    if (failed.length) {
      // Reported as a row (goal 0) rather than thrown, so one bad round does not hide the other figures.
      failures[heap === heapOurs ? 'ours' : 'bare'] += failed.length
      process.stderr.write(
        `bench: ${failed.length} of ${n} agents failed (${heap === heapOurs ? 'gondola' : 'bare'}): ${[...new Set(failed.map((f) => f.why))].slice(0, 3).join('; ')}\n`,
      )
    }
    // Retries are allowed here (they are part of running 10,000 agents) but must be visible.
    if (stats.chatRequests < steps) throw new Error(`the server saw ${stats.chatRequests} chat requests for ${steps} steps`)
    retried[heap === heapOurs ? 'ours' : 'bare'] += stats.chatRequests - steps
    maxOpen = Math.max(maxOpen, stats.maxOpenConnections)
    await side.close()
    return steps / seconds
  }
  const prompt = (i: number) => (tools ? PROMPT : `hello ${i}`)
  const ours = () => {
    let ledger: ReturnType<typeof createLedger> | undefined = createLedger()
    let runner: ReturnType<typeof createRunner> | undefined = createRunner({ baseURL: em.baseURL, keys: [{ name: 'k', apiKey }], ledger, connections })
    const kept: unknown[] = []
    return {
      release: () => {
        runner?.close()
        runner = ledger = undefined
      },
      run: async (i: number) => {
        const r = await runner!.run({ agent: `agent-${i}`, prompt: prompt(i), model: MODEL, ...(tools ? { tools: [add] } : { maxSteps: 1 }) })
        kept.push(r)
        const ok = r.status === 'completed' || (!tools && r.status === 'max_steps')
        if (ok) return { steps: r.steps, ok }
        const why = r.error ? causes(r.error) : r.status
        return { steps: r.steps, ok, why }
      },
      close: async () => {
        void kept.length
      },
    }
  }
  const bare = () => {
    const dispatcher = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 })
    // The SDK's default retries (2), as a user would run it; retried requests show at the server.
    const openai = new OpenAI({ apiKey, baseURL: em.baseURL, fetchOptions: { dispatcher } as never })
    const kept: unknown[] = []
    return {
      release: () => {},
      run: async (i: number) => {
        try {
          const r = await bareRun(openai, prompt(i), tools, tools ? 10 : 1)
          kept.push(r)
          return { steps: r.steps, ok: true }
        } catch (e) {
          return { steps: 0, ok: false, why: causes(e) }
        }
      },
      close: async () => {
        void kept.length
        await dispatcher.close()
      },
    }
  }
  const r = await interleave(
    rounds,
    () => measure(ours, heapOurs),
    () => measure(bare, heapBare),
  )
  return { ours: r.a, bare: r.b, ratios: r.ratios, heapOurs, heapBare, inFlightOurs, inFlightBare, resultsOurs, resultsBare, maxOpen, retried, failures }
}

export async function fleetRows(em: RemoteEmulator, onlyTenK = false): Promise<BenchRow[]> {
  await em.setRateLimits(UNLIMITED)
  const k = onlyTenK
    ? {
        ours: [0],
        bare: [1],
        ratios: [0],
        heapOurs: [0],
        heapBare: [1],
        inFlightOurs: [0],
        inFlightBare: [1],
        resultsOurs: [0],
        resultsBare: [1],
        failures: { ours: 0, bare: 0 },
      }
    : await fleet(em, 1_000, true, 128, 3)
  const tenK = await fleet(em, 10_000, false, 128, 5)
  const heapRatio = (o: number[], b: number[]) => median(o.map((x, i) => x / b[i]!))
  return [
    {
      issue: 18,
      metric: '1,000 agents × 2-step tool runs in one process: model steps per second (128-socket pools)',
      value: median(k.ours),
      baseline: median(k.bare),
      ratio: median(k.ratios),
      unit: 'steps/s',
      spread: `ratio ${range(k.ratios)} over ${k.ratios.length} rounds`,
    },
    {
      issue: 18,
      metric: '1,000 agents: retained heap per agent (conversation + result; Gondola also its ledger lines)',
      value: median(k.heapOurs),
      baseline: median(k.heapBare),
      ratio: heapRatio(k.heapOurs, k.heapBare),
      unit: 'KiB',
    },
    {
      issue: 18,
      metric: '1,000 agents: retained heap per agent, results only (runner and ledger released)',
      value: median(k.resultsOurs),
      baseline: median(k.resultsBare),
      ratio: heapRatio(k.resultsOurs, k.resultsBare),
      unit: 'KiB',
    },
    {
      issue: 18,
      metric: '10,000 agents at once (1 step each), one process: model steps per second, 0 failed agents',
      value: median(tenK.ours),
      baseline: median(tenK.bare),
      ratio: median(tenK.ratios),
      unit: 'steps/s',
      goal: '≥ 0.9× bare',
      spread: `ratio ${range(tenK.ratios)} over ${tenK.ratios.length} rounds`,
    },
    {
      issue: 18,
      metric: '10,000 agents: retained heap per agent (conversation + result; Gondola also its in-memory ledger line)',
      value: median(tenK.heapOurs),
      baseline: median(tenK.heapBare),
      ratio: heapRatio(tenK.heapOurs, tenK.heapBare),
      unit: 'KiB',
      goal: '≤ 1.2× bare',
    },
    {
      issue: 18,
      metric: '10,000 agents: live heap per agent halfway through the run (full GC while half are in flight)',
      value: median(tenK.inFlightOurs),
      baseline: median(tenK.inFlightBare),
      ratio: heapRatio(tenK.inFlightOurs, tenK.inFlightBare),
      unit: 'KiB',
      goal: '≤ 1.2× bare',
    },
    {
      issue: 18,
      metric: '10,000 agents: retained heap per agent, results only (runner and ledger released)',
      value: median(tenK.resultsOurs),
      baseline: median(tenK.resultsBare),
      ratio: heapRatio(tenK.resultsOurs, tenK.resultsBare),
      unit: 'KiB',
    },
    {
      issue: 18,
      metric: '10,000 agents: most sockets open at once, counted at the server (pool cap 128)',
      value: tenK.maxOpen,
      unit: 'sockets',
      goal: '≤ 128',
    },
    {
      issue: 18,
      metric: '10,000 agents: requests retried (server count − steps, all rounds)',
      value: tenK.retried.ours,
      baseline: tenK.retried.bare,
      unit: 'req',
    },
    {
      issue: 18,
      metric: '10,000 agents: failed agents, all rounds (bare SDK with its default 2 retries as baseline)',
      value: tenK.failures.ours,
      baseline: tenK.failures.bare,
      unit: 'agents',
      goal: '0',
    },
    { issue: 18, metric: '1,000 agents: failed agents, all rounds', value: k.failures.ours, baseline: k.failures.bare, unit: 'agents', goal: '0' },
  ]
}

/**
 * 50 agents sharing one 20 RPM key (issue #6), on an in-process emulator whose clock runs 300× fast.
 * `limitHeader`: what `x-ratelimit-limit-requests` carries; the docs give both meanings (the maximum, or the
 * requests made in the period) and the limiter paces on remaining + reset, so the figure must hold under both (#11).
 */
async function sharedKey(em: Emulator, speed: number, limitHeader: 'limit' | 'used'): Promise<BenchRow[]> {
  const rpm = 20
  em.setVariants({ limitHeader })
  em.setRateLimits({ perModel: { [MODEL]: { rpm } } })
  const { apiKey } = em.createKey(OWNER)
  const clock: LimiterClock = { now: () => em.now(), sleep: (ms, signal) => sleep(ms / speed, signal) }
  const runner = createRunner({ baseURL: em.baseURL, keys: [{ name: 'shared', apiKey }], clock })
  const windows = 10
  // Warm the runner (price book, first probe) outside the measured windows.
  await runner.run({ agent: 'warm', prompt: 'hello', model: MODEL })
  // Start on a window boundary so exactly `windows` full windows are measured.
  const firstWindow = Math.ceil(em.now() / 60_000) * 60_000
  await sleep((firstWindow - em.now()) / speed)
  const end = firstWindow + windows * 60_000
  let done = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      while (em.now() < end) {
        const r = await runner.run({ agent: `a${i}`, prompt: 'hello', model: MODEL })
        if (r.status !== 'completed') failed++
        else if (em.now() < end) done++
      }
    }),
  )
  const stats = runner.key('shared')!.limiterFor(MODEL).stats()
  runner.close()
  em.setVariants({})
  const meaning = limitHeader === 'limit' ? '' : ' (limit header = requests made)'
  return [
    {
      issue: 6,
      metric: `50 agents on one ${rpm} RPM key: share of allowed throughput used (${windows} windows)${meaning}`,
      value: (100 * done) / (rpm * windows),
      unit: '%',
      goal: '≥ 95 %',
    },
    { issue: 6, metric: `50 agents on one 20 RPM key: 429 responses${meaning}`, value: stats.rateLimited + failed, unit: 'count', goal: '0' },
  ]
}

/** Runs the agent-loop measurements. */
export async function bench(): Promise<BenchRow[]> {
  // The shared-key rows' clock runs 60× fast: a 60 s window is 1 s of real time, so 20 runs per window need
  // 20 runs per real second. At 300× (a 200 ms window) the client and the in-process emulator needed five times
  // that CPU, and on a loaded machine requests granted in a window finished after it (6.5 % at load 26; 42 % at
  // load 10, where 60× gives 100 %): that measured the machine, not the limiter.
  const speed = 60
  const realStart = Date.now()
  const fast = await startEmulator({
    chain: createStaticChainReader({ [OWNER]: { svvv: 10n ** 18n } }),
    dailyPoolDiem: 1e9,
    clock: () => realStart + (Date.now() - realStart) * speed,
  })
  const remote = await startRemoteEmulator([OWNER])
  try {
    await remote.setRateLimits(UNLIMITED)
    const loop = await overhead(remote)
    const shared = [...(await sharedKey(fast, speed, 'limit')), ...(await sharedKey(fast, speed, 'used'))]
    return [...loop, ...(await fleetRows(remote)), ...shared]
  } finally {
    await remote.stop()
    await fast.stop()
  }
}
