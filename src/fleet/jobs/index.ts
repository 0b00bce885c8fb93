export { openFleetJobs, FleetJobError, type FleetJobs, type FleetJobsOptions, type QueueCounts } from './openFleetJobs.js'
export {
  RUN_QUEUE,
  TOPUP_QUEUE_PREFIX,
  SCHEDULE_QUEUE_PREFIX,
  runJobSchema,
  topUpJobSchema,
  topUpQueueOf,
  scheduleQueueOf,
  everyToCron,
  type RunJob,
  type TopUpJob,
} from './queues.js'
export { registerWorker, listWorkers, recordRunStart, recordRunEnd, recentRuns, HEARTBEAT_SECONDS, type WorkerRow, type RunRow } from './registry.js'
export { fleetStatus, type FleetStatus } from './fleetStatus.js'
