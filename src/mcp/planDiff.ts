import type { PlannedStep } from '../wallet/send/plannedStep.js'

/** One difference between a planned transaction and the one a re-plan would send. */
export type StepChange = { step: string; field: string; planned: string; now: string }

/**
 * What differs between two lists of planned transactions: count, target, value, function, each argument (struct
 * fields by dotted path, e.g. `params.amountOutMinimum`), and the calldata itself when nothing named explains it.
 * Empty when the two would send the same bytes.
 *
 * @example
 * ```ts
 * diffSteps(planned, replanned)
 * // [{ step: 'swap', field: 'params.amountOutMinimum', planned: '44636800000000000000', now: '44632800000000000000' }]
 * ```
 */
export function diffSteps(planned: readonly PlannedStep[], now: readonly PlannedStep[]): StepChange[] {
  const changes: StepChange[] = []
  if (planned.length !== now.length) changes.push({ step: 'plan', field: 'transactions', planned: String(planned.length), now: String(now.length) })
  for (let i = 0; i < Math.min(planned.length, now.length); i++) {
    const a = planned[i]!
    const b = now[i]!
    const step = a.name
    const before = changes.length
    const field = (name: string, x: unknown, y: unknown) => {
      if (String(x) !== String(y)) changes.push({ step, field: name, planned: String(x), now: String(y) })
    }
    field('name', a.name, b.name)
    field('to', a.to?.toLowerCase(), b.to?.toLowerCase())
    field('value', a.value, b.value)
    field('function', a.functionName, b.functionName)
    const fa = flatten(a.args)
    const fb = flatten(b.args)
    for (const k of new Set([...Object.keys(fa), ...Object.keys(fb)])) field(k, fa[k], fb[k])
    if (changes.length === before && a.data?.toLowerCase() !== b.data?.toLowerCase()) field('calldata', a.data, b.data)
  }
  return changes
}

function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (prefix) out[prefix] = String(value)
  return out
}

/**
 * One change as people read it.
 *
 * @example
 * ```ts
 * describeChange({ step: 'swap', field: 'params.amountOutMinimum', planned: '446368', now: '446328' }) // 'swap params.amountOutMinimum 446368 → 446328'
 * ```
 */
export function describeChange(c: StepChange): string {
  return `${c.step} ${c.field} ${c.planned} → ${c.now}`
}
