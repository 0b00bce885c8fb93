/**
 * `gondola init`: scaffolds a new agent project (package.json depending on gondola, tsconfig, .env.example, an
 * agent with a custom tool, a vitest test against `startLocalWorld()`).
 *
 * @example
 * ```ts
 * import { initProject } from './index.js'
 * await initProject({ dir: 'my-agent', agent: 'weather' })
 * ```
 */
export { initProject, InitError, type InitProjectParameters, type InitProjectReturnType } from './initProject.js'
export type { ScaffoldOptions } from './templates.js'
