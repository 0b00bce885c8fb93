import { defineCommand } from 'citty'
import { runDemo } from '../../demo/runDemo.js'
import { jsonArg, printJson } from '../output.js'

/** `gondola demo` (= `npm start`): the whole self-funding loop on the embedded devnet, no configuration. */
export default defineCommand({
  meta: { name: 'demo', description: 'Run the whole self-funding loop on the embedded local devnet (what `npm start` does)' },
  args: { ...jsonArg },
  async run({ args }) {
    const summary = await runDemo({ json: args.json })
    if (args.json) printJson(summary)
  },
})
