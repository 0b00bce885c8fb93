/**
 * The files `gondola init` writes, as functions of the project's choices. Plain strings on purpose: a
 * scaffold is a handful of small files, and a template engine would be one more dependency for that.
 */

/** What a scaffold is made from. */
export type ScaffoldOptions = {
  /** npm package name of the new project. */
  projectName: string
  /** The first agent's name (file `agents/<agent>.ts`). */
  agent: string
  /** How the project depends on gondola: a semver range, or `file:…` for a local tarball. */
  gondolaSpec: string
  /** Versions for the project's other dependencies, taken from Gondola's own package.json. */
  versions: { zod: string; viem: string; tsx: string; typescript: string; vitest: string; typesNode: string }
  /** How the project depends on the devnet package (`@gondola/devnet`, a devDependency): from the same place as gondola. */
  devnetSpec: string
}

export function packageJson(o: ScaffoldOptions): string {
  const pkg = {
    name: o.projectName,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20' },
    scripts: {
      devnet: 'gondola devnet',
      start: `gondola run ${o.agent}`,
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
    },
    dependencies: { gondola: o.gondolaSpec, viem: o.versions.viem, zod: o.versions.zod },
    // The devnet and the emulator (npm run devnet, the test's startLocalWorld()): the @gondola/devnet package.
    devDependencies: Object.fromEntries(
      Object.entries({
        '@gondola/devnet': o.devnetSpec,
        '@types/node': o.versions.typesNode,
        tsx: o.versions.tsx,
        typescript: o.versions.typescript,
        vitest: o.versions.vitest,
      }).sort(([a], [b]) => a.localeCompare(b)),
    ),
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

export const tsconfigJson = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
    },
    include: ['agents', 'test', 'vitest.config.ts'],
  },
  null,
  2,
)}\n`

export const gitignore = `node_modules/
.gondola/
.env
*.keystore.json
keys.json
`

export const envExample = `# Gondola settings for this project (every one is optional on the local devnet). The full list, with
# defaults, is in Gondola's README ("Configuration").

# devnet (the local world: \`npm run devnet\`) or base (Base mainnet + api.venice.ai).
GONDOLA_NETWORK=devnet
# Wallet, key store, journal and ledger live here.
GONDOLA_STATE_DIR=.gondola
# Keystore password; without it Gondola prompts (and cannot seal the key store).
GONDOLA_KEYSTORE_PASSWORD=
# Base mainnet RPC (chain id 8453), required with GONDOLA_NETWORK=base.
BASE_RPC_URL=
# A devnet started elsewhere: its RPC and Venice emulator URLs (by default read from .gondola/devnet.json).
DEVNET_RPC_URL=
VENICE_API_BASE_URL=
# Spend policy: ETH per swap and per UTC day.
GONDOLA_POLICY_MAX_ETH_PER_SWAP=0.05
GONDOLA_POLICY_MAX_ETH_PER_DAY=0.2
# Top up (swap ETH → VVV, stake, mint DIEM) when an agent's runway falls below this many hours.
GONDOLA_FUNDING_MIN_RUNWAY_HOURS=24
`

export const vitestConfig = `import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Each test starts a real local chain and Venice emulator: give it time on a slow machine.
  test: { include: ['test/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 },
})
`

export function agentModule(o: ScaffoldOptions): string {
  return `import { z } from 'zod'
import { defineAgent, defineTool } from 'gondola'

/**
 * A custom tool: the model reads its description and each field's \`.describe()\`, and the handler's result goes
 * back to the model. \`gondola run ${o.agent}\` registers every tool this module exports.
 */
export const getForecast = defineTool({
  name: 'get_forecast',
  description: 'Returns the weather forecast for a city.',
  schema: z.object({ city: z.string().describe('City name, e.g. "Lisbon".') }),
  handler: ({ city }) => ({ city, forecast: 'sunny, 24 °C' }),
})

export default defineAgent({
  name: '${o.agent}',
  description: 'Answers weather questions with its own get_forecast tool.',
  system: 'You answer questions about the weather. Use get_forecast; never guess.',
  prompt: 'Call get_forecast for "Lisbon".',
  model: 'function_calling_default',
  tools: ['get_forecast', 'get_runway'],
  budget: { diemPerRun: 0.01 },
  // Self-funding thresholds come from .env (GONDOLA_FUNDING_MIN_RUNWAY_HOURS, …); set funding: { minRunwayHours }
  // here only to give this agent its own.
})
`
}

export function agentTest(o: ScaffoldOptions): string {
  return `import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { KeyStore, createAgentHost, createWallet, fundingPolicyFromEnv, provision, readEnv, startLocalWorld, type LocalWorld } from 'gondola'
import agent, { getForecast } from '../agents/${o.agent}.ts'

let world: LocalWorld
beforeAll(async () => {
  world = await startLocalWorld() // a real anvil with the Venice contracts + the Venice API emulator
})
afterAll(() => world?.stop())

it('${o.agent} calls its own tool on its own limited key', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), '${o.agent}-test-'))
  const account = privateKeyToAccount(generatePrivateKey())
  await world.devnet.fund(account.address, { eth: parseEther('1') })
  const wallet = await createWallet({ account, publicClient: world.devnet.publicClient, addresses: world.devnet.addresses, stateDir })
  const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
  await provision({ wallet, baseURL: world.veniceBaseUrl, store, agents: ['${o.agent}'], stakeSvvv: parseEther('10'), diemPerAgent: 0.5 })

  const host = createAgentHost({
    wallet, store, baseURL: world.veniceBaseUrl, outboxDir: join(stateDir, 'outbox'),
    // The same funding policy \`gondola run\` uses: .env's GONDOLA_FUNDING_*, then the agent's own overrides.
    funding: fundingPolicyFromEnv(readEnv(), agent.funding),
    tools: { get_forecast: () => getForecast },
  })
  try {
    const run = await host.run(agent)
    expect(run.status).toBe('completed')
    const results = run.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(String(m.content)))
    expect(results).toContainEqual({ city: 'Lisbon', forecast: 'sunny, 24 °C' })
    expect(run.costDiem).toBeGreaterThan(0)
  } finally {
    host.close()
  }
})
`
}

export function readme(o: ScaffoldOptions): string {
  return `# ${o.projectName}

An agent that pays for its own intelligence, built on [Gondola](https://www.npmjs.com/package/gondola).

\`\`\`sh
npm install
npm test                            # runs agents/${o.agent}.ts against a local chain + Venice emulator
npm run devnet                      # terminal 1: the local world
npx gondola wallet new              # terminal 2: an encrypted wallet (set GONDOLA_KEYSTORE_PASSWORD to skip the prompt)
npx gondola faucet --eth 0.5        # devnet ETH
npx gondola provision --agents ${o.agent} --stake-vvv 10 --diem-per-agent 0.5
npx gondola run ${o.agent}
\`\`\`

Add tools by exporting \`defineTool(...)\` from an agent module; add agents as files in \`agents/\`
(\`gondola run --list\` shows them).
`
}
