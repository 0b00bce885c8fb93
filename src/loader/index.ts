/**
 * Loading a project's own agents and tools: agent files in `agents/` (or GONDOLA_AGENTS_DIR, or a path) —
 * TypeScript through tsx when installed, JavaScript, or JSON — with the tools their modules export.
 *
 * @example
 * ```ts
 * import { agentSearchDirs, findAgentFile, loadAgentFile } from './index.js'
 * const file = findAgentFile('weather', agentSearchDirs({ cwd: process.cwd(), shippedDir }))
 * ```
 */
export { importModule, ModuleLoadError, MODULE_EXTENSIONS } from './importModule.js'
export { isTool, toolsOf } from './toolExports.js'
export { AGENT_EXTENSIONS, agentSearchDirs, findAgentFile, listAgentFiles, looksLikePath, resolveAgentPath, type AgentFile } from './findAgentFile.js'
export { loadAgentFile, invalid as invalidDefinition, type AgentFileContents } from './loadAgentFile.js'
