/** Hosting agents for a wallet: their own limited keys, chain-backed top-ups under the policy, built-in tools. */
export { createAgentHost, MissingAgentKeyError, type AgentHost, type AgentHostOptions, type AgentRunOverrides, type HostEvent } from './createAgentHost.js'
export { createWalletTopUp, requestTopUp, describeTopUp, type WalletTopUpOptions } from './walletTopUp.js'
export { builtinToolFactories, outboxTool, type ToolDeps, type ToolFactory } from './hostTools.js'
export {
  runSchedule,
  jobsFromDefinitions,
  timingOf,
  ScheduleError,
  type ScheduledJob,
  type ScheduleRun,
  type ScheduleReport,
  type SchedulerOptions,
  type JobTiming,
} from './scheduler.js'
export { fileRunHistory, readRunRecords, appendRunRecord, runRecordOf, type RunHistory, type RunRecord } from './runHistory.js'
export { statusSourcesOf } from './statusSources.js'
