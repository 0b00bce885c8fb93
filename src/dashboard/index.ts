/**
 * `gondola dashboard`: a local page with per-key balance/burn/runway, per-agent spend, runs and tool errors, the
 * wallet journal and the autopilot history, live over SSE.
 *
 * @example
 * ```ts
 * import { startDashboard } from './index.js'
 * const dash = await startDashboard({ env, wallet, store })
 * ```
 */
export { startDashboard, type StartDashboardOptions } from './startDashboard.js'
export { dashboardData, keySeries, spendPerDay, agentTable } from './dashboardData.js'
