#!/usr/bin/env node
// Launcher. The published package holds only the compiled CLI (dist/) and runs it on plain Node. A clone of
// the repo (src/ present) registers tsx, a devDependency, and runs the TypeScript sources, so `npx gondola`
// there never runs a stale build; with the clone's tsconfig.json (whatever the working directory), whose `paths` map
// the devnet workspace (@gondola/devnet) and the gondola subpaths it imports to their sources. Either way signals
// (SIGINT/SIGTERM) reach the CLI directly.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = new URL('../src/cli/main.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
  await import(source.href)
} else {
  await import(new URL('../dist/src/cli/main.js', import.meta.url).href)
}
