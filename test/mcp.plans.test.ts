import { describe, expect, it } from 'vitest'
import { diffSteps } from '../src/mcp/planDiff.js'
import { createPlanBook, PlanChangedError, PlanNotFoundError } from '../src/mcp/plans.js'
import type { PlannedStep } from '../src/wallet/send/plannedStep.js'

const step = (min: string): PlannedStep => ({
  name: 'swap',
  label: 'swap 0.01 ETH → VVV',
  to: '0x2626664c2603336E57B271c5C0b26F421741e481',
  value: '0.01',
  functionName: 'exactInputSingle',
  args: { params: { amountIn: '10000000000000000', amountOutMinimum: min } },
  data: `0x04e45aaf${BigInt(min).toString(16).padStart(64, '0')}`,
  status: 'planned',
  simulated: true,
})

describe('the plan book', () => {
  it('names every changed argument by its path, and the calldata when nothing named explains it', () => {
    expect(diffSteps([step('446368')], [step('446368')])).toEqual([])
    expect(diffSteps([step('446368')], [step('446328')])).toEqual([{ step: 'swap', field: 'params.amountOutMinimum', planned: '446368', now: '446328' }])
    expect(diffSteps([step('1')], [{ ...step('1'), data: '0x00' }])).toEqual([{ step: 'swap', field: 'calldata', planned: step('1').data, now: '0x00' }])
  })

  it('a changed re-plan sends nothing and registers the new plan; a plan from another UTC day is refused', async () => {
    let t = Date.parse('2026-12-05T23:59:50Z')
    const sent: string[] = []
    let market = '446368'
    const book = createPlanBook({ now: () => t })
    const p = book.add({
      tool: 'swap_eth_for_vvv',
      summary: 'swap',
      steps: [step(market)],
      replan: async () => [step(market)],
      execute: async (k) => void sent.push(k),
    })
    market = '446328'
    const err = (await book.confirm(p.id).catch((e: unknown) => e)) as PlanChangedError
    expect(err).toBeInstanceOf(PlanChangedError)
    expect(err.shortMessage).toMatch(/Changed: swap params\.amountOutMinimum 446368 → 446328\./)
    expect(err.next!.steps[0]!.args).toEqual({ params: { amountIn: '10000000000000000', amountOutMinimum: '446328' } })
    expect(sent).toEqual([])
    t += 20_000 // past midnight UTC
    await expect(book.confirm(err.next!.id)).rejects.toThrow(PlanNotFoundError)
    expect(sent).toEqual([])
  })
})
