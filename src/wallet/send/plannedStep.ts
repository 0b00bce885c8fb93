/**
 * The presentable form of a run's steps: which transaction each step is (or would be), with amounts as
 * decimal strings so it prints and serialises as is. What a dry run shows a reviewer before going live.
 */
import { encodeFunctionData, formatEther, getAbiItem, type Abi, type AbiFunction, type Address, type Hex } from 'viem'
import type { StepResult } from './types.js'

/** One step of a run, as people and JSON see it. */
export type PlannedStep = {
  name: string
  label: string
  /** The contract called (undefined only for a step resumed from the journal). */
  to: Address | undefined
  /** ETH sent along, as a decimal string (`'0'` for no value). */
  value: string
  functionName: string | undefined
  /** Arguments by ABI parameter name (index when unnamed); integers as base-unit decimal strings. */
  args: Record<string, unknown> | undefined
  /** The calldata, byte for byte (undefined only for a step resumed from the journal). */
  data: Hex | undefined
  status: StepResult['status']
  /** Dry run: whether simulation checked the step; undefined for a sent step. */
  simulated: boolean | undefined
  hash?: Hex | undefined
}

/**
 * @example
 * ```ts
 * toPlannedSteps(run.steps)
 * // [{ name: 'approve', label: 'approve 1 VVV to staking', to: '0x…vvv', value: '0', functionName: 'approve',
 * //    args: { spender: '0x…staking', amount: '1000000000000000000' }, status: 'planned', simulated: true }]
 * ```
 */
export function toPlannedSteps(steps: readonly StepResult[]): PlannedStep[] {
  return steps.map(toPlannedStep)
}

/** One step; see `toPlannedSteps`. */
export function toPlannedStep(step: StepResult): PlannedStep {
  const { call } = step
  return {
    name: step.name,
    label: step.label,
    to: call?.to,
    value: formatEther(call?.value ?? 0n),
    functionName: call?.functionName,
    args: call ? namedArgs(call.abi, call.functionName, call.args) : undefined,
    data: call ? encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName, args: call.args } as never) : undefined,
    status: step.status,
    simulated: step.simulated,
    ...(step.hash ? { hash: step.hash } : {}),
  }
}

/** One line for people: `swap 0.01 ETH → VVV → 0x2626… (exactInputSingle) 0.01 ETH`. */
export function describePlannedStep(step: PlannedStep): string {
  const check = step.status === 'planned' ? (step.simulated ? ', simulated' : ', not simulated: depends on an earlier step') : ''
  return `${step.label} → ${step.to ?? '(resumed)'} (${step.functionName ?? 'resumed'}) ${step.value} ETH${check}${step.hash ? ` tx ${step.hash}` : ''}`
}

function namedArgs(abi: readonly unknown[], functionName: string, args: readonly unknown[]): Record<string, unknown> {
  const item = getAbiItem({ abi: abi as AbiFunction[], name: functionName }) as AbiFunction | undefined
  return Object.fromEntries(args.map((a, i) => [item?.inputs[i]?.name || String(i), decimal(a)]))
}

/** bigints → decimal strings, recursively (struct arguments are objects or arrays). */
function decimal(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return v.map(decimal)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decimal(x)]))
  return v
}
