import { relative } from 'node:path'
import { defineCommand } from 'citty'
import { initProject } from '../../init/index.js'
import { jsonArg, printJson } from '../output.js'

/** `gondola init [dir]`: scaffolds a new agent project (refuses a non-empty folder unless --force). */
export default defineCommand({
  meta: { name: 'init', description: 'Scaffold a new agent project: package.json, tsconfig, .env.example, agents/<name>.ts with a custom tool, a vitest test' },
  args: {
    dir: { type: 'positional', description: 'Folder to create (default: the current folder)', required: false },
    agent: { type: 'string', description: 'Name of the first agent (default: weather)' },
    gondola: {
      type: 'string',
      description: 'Dependency spec for gondola (default: where this gondola came from: its file: tarball or clone, else ^<this version>)',
    },
    force: { type: 'boolean', description: 'Write into a non-empty folder', default: false },
    ...jsonArg,
  },
  async run({ args }) {
    const result = await initProject({ dir: args.dir ?? '.', agent: args.agent, gondolaSpec: args.gondola, force: args.force })
    if (args.json) return printJson(result)
    const where = relative(process.cwd(), result.dir) || '.'
    process.stdout.write(
      [
        `Created ${result.projectName} in ${where}:`,
        ...result.files.map((f) => `  ${f}`),
        `gondola dependency: ${result.gondolaSpec}`,
        '',
        'Next:',
        ...(result.buildFirst ? [`  ${result.buildFirst}   # once: the clone has no build yet`] : []),
        ...(where === '.' ? [] : [`  cd ${where}`]),
        '  npm install',
        `  npm test                 # runs agents/${result.agent}.ts against a local chain + Venice emulator`,
        '  npm run devnet           # then, in another terminal: npx gondola wallet new, faucet, provision, run',
        '',
      ].join('\n'),
    )
  },
})
