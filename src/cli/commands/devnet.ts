import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { removeDevnetInfo, writeDevnetInfo, type DevnetInfo } from '../../chain/devnetInfo.js'
import { startLocalWorld } from '../../devnet/lazy.js' // loads @gondola/devnet, or says how to install it
import { enumFlag, optionalNumberFlag } from '../flags.js'
import { jsonArg, printJson, withSpinner } from '../output.js'
import { handleShutdown, untilAborted } from '../../util/shutdown.js'

/**
 * `gondola devnet [--port N] [--state FILE] [--json]`: starts anvil with everything deployed,
 * publishes `<GONDOLA_STATE_DIR>/devnet.json`, prints how to reach it, and runs until
 * SIGINT/SIGTERM, then stops everything (saving `--state`) and exits 0.
 */
export default defineCommand({
  meta: {
    name: 'devnet',
    description:
      'Run the local world: anvil + Venice contracts (VVV, sVVV, DIEM) + USDC + Uniswap V3 and Aerodrome VVV/WETH and USDC/WETH pools + the Venice API emulator',
  },
  args: {
    port: { type: 'string', description: 'Port on 127.0.0.1 (default: a free one)' },
    state: { type: 'string', description: 'Resume from this file if it exists, and save the chain to it on exit' },
    'venice-port': { type: 'string', description: 'Port of the Venice emulator (default: a free one)' },
    'latency-ms': { type: 'string', description: 'Emulator fault: added latency per inference request, in ms' },
    'rate-429': { type: 'string', description: 'Emulator fault: probability (0–1) of a 429 on inference requests' },
    'rate-500': { type: 'string', description: 'Emulator fault: probability (0–1) of a 500' },
    'rate-503': { type: 'string', description: 'Emulator fault: probability (0–1) of a 503' },
    'drop-rate': { type: 'string', description: 'Emulator fault: probability (0–1) of a dropped connection' },
    'min-staked-diem': {
      type: 'string',
      description:
        'Emulator: the staked-DIEM rule, DIEM that must be staked before any Diem is spendable (Base: 0.1; default VENICE_EMULATOR_MIN_STAKED_DIEM, 0 = off)',
    },
    'fault-scope': { type: 'string', description: 'Emulator faults on inference routes only (default) or on all routes (key flow, key management, billing)' },
    ...jsonArg,
  },
  async run({ args }) {
    const rate = (flag: string, value: string | undefined) => optionalNumberFlag(value, flag, { min: 0, max: 1, example: '0.2' })
    const port = optionalNumberFlag(args.port, '--port', { min: 0, max: 65_535, integer: true, example: '8545' })
    const venicePort = optionalNumberFlag(args['venice-port'], '--venice-port', { min: 0, max: 65_535, integer: true, example: '8546' })
    const latencyMs = optionalNumberFlag(args['latency-ms'], '--latency-ms', { min: 0, max: 60_000, integer: true, example: '200' })
    const faultRates = {
      rate429: rate('--rate-429', args['rate-429']),
      rate500: rate('--rate-500', args['rate-500']),
      rate503: rate('--rate-503', args['rate-503']),
      dropRate: rate('--drop-rate', args['drop-rate']),
    }
    const scope = enumFlag(args['fault-scope'], '--fault-scope', ['INFERENCE', 'ALL'])?.toLowerCase() as 'inference' | 'all' | undefined
    const minStakedDiem = optionalNumberFlag(args['min-staked-diem'], '--min-staked-diem', { min: 0, max: 1_000_000, example: '0.1' })
    const env = readEnv()
    const emulator = {
      minStakedDiemForDiem: minStakedDiem ?? Number(env.VENICE_EMULATOR_MIN_STAKED_DIEM),
      port: venicePort,
      dailyPoolDiem: Number(env.VENICE_EMULATOR_DAILY_POOL_DIEM),
      usdBalance: Number(env.VENICE_EMULATOR_USD_BALANCE),
      epochSeconds: env.VENICE_EMULATOR_EPOCH_SECONDS,
      adminEndpoint: env.VENICE_EMULATOR_ADMIN,
      faults: {
        latencyMs: latencyMs ?? env.VENICE_EMULATOR_LATENCY_MS,
        rate429: faultRates.rate429 ?? env.VENICE_EMULATOR_RATE_429,
        rate500: faultRates.rate500 ?? env.VENICE_EMULATOR_RATE_500,
        rate503: faultRates.rate503 ?? env.VENICE_EMULATOR_RATE_503,
        dropRate: faultRates.dropRate ?? env.VENICE_EMULATOR_DROP_RATE,
        scope: scope ?? env.VENICE_EMULATOR_FAULT_SCOPE,
      },
    }
    // Installed before start-up: a Ctrl-C while anvil deploys lets it finish, then stops it (no orphaned anvil).
    const shutdown = handleShutdown({ name: 'gondola devnet', finishing: 'start-up or the state save' })
    try {
      const world = await withSpinner('Starting devnet', () => startLocalWorld({ port, stateFile: args.state, emulator }), { json: args.json })
      const devnet = world.devnet
      const info: DevnetInfo = {
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        addresses: devnet.addresses,
        accounts: devnet.accounts,
        veniceBaseUrl: world.veniceBaseUrl,
        minStakedDiemForDiem: emulator.minStakedDiemForDiem,
      }
      try {
        if (!shutdown.received) {
          await writeDevnetInfo(env.GONDOLA_STATE_DIR, info)
          if (args.json) printJson(toJsonLine(info))
          else printText(info, devnet.source)
        }
        await untilAborted(shutdown.signal)
      } finally {
        await removeDevnetInfo(env.GONDOLA_STATE_DIR)
        const done = shutdown.doing(args.state ? `saving the chain to ${args.state}` : 'stopping anvil and the emulator')
        await world.stop()
        done()
      }
      process.stderr.write(`gondola devnet: stopped (${shutdown.received})${args.state ? `; chain saved to ${args.state}` : ''}.\n`)
    } finally {
      shutdown.dispose()
    }
  },
})

function toJsonLine(info: DevnetInfo): Record<string, unknown> {
  const a = info.addresses
  return {
    rpcUrl: info.rpcUrl,
    chainId: info.chainId,
    addresses: {
      vvv: a.vvv,
      staking: a.staking,
      diem: a.diem,
      weth: a.weth,
      swapRouter: a.swapRouter,
      quoter: a.quoter,
      positionManager: a.positionManager,
      factory: a.factory,
      multicall3: a.multicall3,
      aerodromeRouter: a.aerodromeRouter,
      aerodromeFactory: a.aerodromeFactory,
    },
    accounts: info.accounts,
    ...(info.veniceBaseUrl && { veniceBaseUrl: info.veniceBaseUrl }),
    minStakedDiemForDiem: info.minStakedDiemForDiem ?? 0,
  }
}

function printText(info: DevnetInfo, source: string): void {
  const lines = [
    `Devnet ready (${source}) — RPC ${info.rpcUrl}, chain id ${info.chainId}`,
    `Venice API emulator: ${info.veniceBaseUrl ?? '(not running)'}`,
    `Staked-DIEM rule: ${info.minStakedDiemForDiem ? `${info.minStakedDiemForDiem} DIEM staked before any Diem is spendable` : "off (--min-staked-diem 0.1 turns on Base's rule)"}`,
    '',
    'Contracts:',
    ...Object.entries(info.addresses)
      .filter(([k]) => k !== 'network' && k !== 'chainId')
      .map(([k, v]) => `  ${k.padEnd(16)} ${String(v)}`),
    '',
    'Dev accounts (10 000 ETH each; well-known anvil keys, never use them elsewhere):',
    ...info.accounts.map((acc, i) => `  (${i}) ${acc.address}  ${acc.privateKey}`),
    '',
    'Press Ctrl-C to stop.',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
