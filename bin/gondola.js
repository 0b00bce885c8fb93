#!/usr/bin/env node
// Launcher: registers tsx in this process and runs the TypeScript CLI, so `npx gondola`
// works without a build step and signals (SIGINT/SIGTERM) reach the CLI directly.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
