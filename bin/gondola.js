#!/usr/bin/env node
// Launcher. The published package holds only the compiled CLI (dist/) and runs it on plain Node. A clone of
// the repo (src/ present) registers tsx, a devDependency, and runs the TypeScript sources, so `npx gondola`
// there never runs a stale build. Either way signals (SIGINT/SIGTERM) reach the CLI directly.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli/main.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
} else {
  await import(new URL('../dist/src/cli/main.js', import.meta.url).href)
}
