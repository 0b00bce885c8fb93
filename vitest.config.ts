import { defineConfig } from 'vitest/config'

/**
 * The process-level suites: `npm run test:e2e` (the `e2e` project). Everything else under test/ is the `unit`
 * project, run by `npm test`: unit tests and in-process integration on anvil and the emulator.
 * Paths, not folders, so a file keeps its place (and its history) when it changes tier.
 */
export const e2eFiles = [
  // The packed tarball, installed offline into a scratch project; the installed binary run.
  'test/package.test.ts',
  // The tarball alone, runtime dependencies only: what is (not) installed and loaded; the devnet and telemetry name what they miss.
  'test/package.lean.test.ts',
  // `npm start` (gondola demo) as a user runs it.
  'test/demo.test.ts',
  // `npm start` and `gondola demo` stopped by SIGINT/SIGTERM mid-story.
  'test/demo.stop.test.ts',
  // Fleet faults and multi-process fleet tests: treasuries and workers as REAL processes on Postgres, SIGKILLs.
  'test/fleet.faults.test.ts',
  'test/fleet.journal.test.ts',
  'test/fleet.keys.test.ts',
  'test/fleet.jobs.test.ts',
  'test/fleet.ratelimit.test.ts',
  // The social bot end to end: a reference Bluesky PDS and a Nostr relay, the CLI as a subprocess.
  'test/social.e2e.test.ts',
  // Each real-file character shape posting once on the reference PDS and a relay (a PDS server process).
  'test/social.characters.e2e.test.ts',
  // A social bot SIGKILLed with a call in flight (the emulator holds the answer), restarted: settled from billing once.
  'test/social.inflight.test.ts',
  // The dashboard in real Chromium.
  'test/dashboard.browser.test.ts',
  // 10,000 agents at once over one keep-alive pool.
  'test/agent.tenThousand.test.ts',
  // CLI journeys as subprocesses (several `gondola` processes per test, some at once): whole runs, exit codes,
  // what reaches the terminal. Commands' validation and flags are also checked in process in the unit tier.
  'test/cli.run.test.ts',
  'test/cli.keys.test.ts',
  'test/cli.character.test.ts',
  'test/cli.exitCodes.binary.test.ts',
  'test/autopilot.cli.test.ts',
  'test/agents.custom.test.ts',
  'test/wallet.cli.test.ts',
  // Key minting across 4 concurrent `gondola` processes, 2 of them SIGKILLed.
  'test/keys.concurrency.test.ts',
  // Top-ups in 10 REAL processes, each SIGKILLed at one step, resumed by the next run.
  'test/topup.crash.test.ts',
  // x402 top-ups in REAL processes SIGKILLed after the intent, the signed authorization and the settlement.
  'test/x402.crash.test.ts',
  // x402 as a user runs it: only ETH → swap → $5 top-up → `gondola run --pay x402` by SIWX; balance, transactions, status.
  'test/x402.e2e.test.ts',
  // The README's library examples, each run with tsx as a reader would (each starts its own local world).
  'test/readme.test.ts',
  // The RPC cut mid-top-up, then `gondola run` / `status` / `run` as processes: exit 5 and one line, then resumed.
  'test/funding.failure.test.ts',
  // stdout discipline of real processes: `gondola run --json` and `gondola mcp` over stdio with console telemetry.
  'test/telemetry.stdout.test.ts',
  // `gondola run --every 0.5 --runs 12` as a process: no MaxListenersExceededWarning on its stderr.
  'test/cli.listeners.test.ts',
  // The autopilot's report chart rendered to PNG in real Chromium; `gondola devnet --min-staked-diem` as a process.
  'test/autopilot.chart.test.ts',
  'test/autopilot.world.test.ts',
  // Workers as real processes through Postgres outages (SIGQUIT/SIGKILL during complete/fail) and SIGTERM.
  'test/fleet.outage.test.ts',
  // Stop when told, as processes: signals to the social bot, autopilot, devnet, dashboard and MCP; a real pty.
  'test/cli.stop.test.ts',
  'test/cli.pty.test.ts',
  // Fleet chaos (issue #27), one seed (1): treasury and workers SIGKILLed at random, Postgres stopped twice, a fault burst.
  'test/fleet.chaos.e2e.test.ts',
]

/**
 * The fleet chaos run (issue #27) on its own, for several seeds: `GONDOLA_CHAOS_SEEDS=1,2,3 npm run test:chaos`
 * (seed 0 is the calm baseline of `npm run bench -- chaos`). The e2e tier runs seed 1.
 */
export const chaosFiles = ['test/fleet.chaos.e2e.test.ts']

export default defineConfig({
  // The devnet package and gondola's subpaths it imports resolve to their sources (tsconfig.json `paths`).
  resolve: { tsconfigPaths: true },
  test: {
    globalSetup: ['test/globalSetup.ts'],
    // A temp GONDOLA_DATA_DIR per test file (wallet journals live per address in the data dir).
    setupFiles: ['test/setup.ts'],
    // Generous: CLI tests spawn several tsx subprocesses, slow on a loaded 2-core machine. Tests never assert durations.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...e2eFiles, ...chaosFiles] } },
      { extends: true, test: { name: 'e2e', include: e2eFiles } },
      { extends: true, test: { name: 'chaos', include: chaosFiles, testTimeout: 1_800_000 } },
    ],
  },
})
