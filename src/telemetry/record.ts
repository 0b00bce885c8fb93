import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { VeniceHeaders } from '../venice/headers.js'
import * as A from './attributes.js'
import { inSpan, markFailed, meters, metricsEnabled, SPAN_STATUS_ERROR, tracer, tracingEnabled, watchRunway } from './instruments.js'

/** `SPAN_KIND_CLIENT` of the API (a stable enum value), without loading the API. */
const SPAN_KIND_CLIENT = 2

/**
 * The chokepoint wrappers: one call at each place Gondola does something an operator wants to see. Only ids,
 * names, amounts, hashes and redacted key hints become attributes — never a key, a password or a URL.
 */

/** An agent run (`invoke_agent <agent>`); the model and tool spans of the run nest under it. */
export function traceAgentRun<T extends { status: string; steps: number; costDiem: number; costUsd: number; toolErrors: number }>(
  agent: string,
  model: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return fn() // no span to fill: no attribute objects either
  return inSpan(
    `invoke_agent ${agent}`,
    {
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent',
      [A.ATTR_GEN_AI_AGENT_NAME]: agent,
      [A.ATTR_GEN_AI_PROVIDER_NAME]: A.VENICE_PROVIDER,
      ...(model ? { [A.ATTR_GEN_AI_REQUEST_MODEL]: model } : {}),
    },
    async (span) => {
      const r = await fn()
      span.setAttributes({
        'gondola.run.status': r.status,
        'gondola.run.steps': r.steps,
        [A.ATTR_VENICE_COST_DIEM]: r.costDiem,
        [A.ATTR_VENICE_COST_USD]: r.costUsd,
        'gondola.run.tool_errors': r.toolErrors,
      })
      if (r.status === 'error' || r.status === 'insufficient_balance') span.setStatus({ code: SPAN_STATUS_ERROR, message: r.status })
      return r
    },
  )
}

/**
 * Whether `recordModelCall` would record anything (a tracer or meter provider is registered). The agent loop
 * asks first, so a run without telemetry builds no record object per step.
 *
 * @example
 * ```ts
 * if (recordingModelCalls()) recordModelCall({ agent, keyHint, requestModel, startTime, completion, charge, headers })
 * ```
 */
export function recordingModelCalls(): boolean {
  return tracingEnabled() || metricsEnabled()
}

/**
 * One model call (`chat <model>`), recorded after it returned: the span gets the call's real start time, the
 * GenAI usage attributes and the Venice cost and balance; the metrics get the spend and the balance.
 */
export function recordModelCall(p: {
  agent: string
  keyHint: string | undefined
  requestModel: string
  startTime: number
  completion: ChatCompletion
  charge: { promptTokens: number; completionTokens: number; costDiem: number; costUsd: number }
  headers: VeniceHeaders
  /** The key's runway, read only when metrics are on (and again at every collection: see `watchRunway`). */
  runwayHours?: (() => number) | undefined
  /** The API's base URL: only its host and port become `server.address` and `server.port`. */
  baseURL?: string | undefined
  /** What the runway is read from (the key's balance monitor): one gauge series per source. Default: the key hint. */
  runwaySource?: unknown
}): void {
  const tracing = tracingEnabled()
  const metricsOn = metricsEnabled()
  // Off by default: nothing to record, nothing allocated (this runs on every model step).
  if (!tracing && !metricsOn) return
  const span = tracer().startSpan(`chat ${p.requestModel}`, { kind: SPAN_KIND_CLIENT, startTime: p.startTime })
  if (!span.isRecording() && !metricsOn) return
  const { completion: c, charge, headers: h } = p
  const balanceAfter = h.balanceDiem === undefined ? undefined : h.balanceDiem - charge.costDiem
  if (span.isRecording()) {
    span.setAttributes(chatAttributes(p))
    span.setAttributes({
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: c.model,
      [A.ATTR_GEN_AI_RESPONSE_ID]: c.id,
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: charge.promptTokens,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: charge.completionTokens,
      [A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: c.choices.map((ch) => ch.finish_reason ?? 'unknown'),
      [A.ATTR_VENICE_COST_DIEM]: charge.costDiem,
      [A.ATTR_VENICE_COST_USD]: charge.costUsd,
      ...(balanceAfter === undefined ? {} : { [A.ATTR_VENICE_BALANCE_DIEM_AFTER]: balanceAfter }),
      ...(h.requestId ? { [A.ATTR_VENICE_REQUEST_ID]: h.requestId } : {}),
    })
  }
  span.end()
  if (!metricsOn) return
  const m = meters()
  const labels = { [A.ATTR_AGENT]: p.agent, [A.ATTR_VENICE_KEY]: p.keyHint ?? 'unknown' }
  m.diemSpent.add(charge.costDiem + charge.costUsd, labels)
  m.modelCalls.add(1, { [A.ATTR_AGENT]: p.agent, [A.ATTR_GEN_AI_REQUEST_MODEL]: p.requestModel })
  if (balanceAfter !== undefined) m.balance.record(balanceAfter, { [A.ATTR_VENICE_KEY]: p.keyHint ?? 'unknown' })
  if (p.runwayHours) watchRunway(p.runwaySource ?? `key:${p.keyHint}`, p.keyHint, p.runwayHours)
}

/**
 * One model call that failed (a 402 after the top-up path, retries exhausted, a refused key…): its `chat <model>`
 * span from the call's real start, with `error.type` and ERROR status. Venice's request id when the error has one.
 *
 * @example
 * ```ts
 * try { await callModel(ctx, request) } catch (err) { recordFailedModelCall({ agent, keyHint, requestModel, startTime, error: err }); throw err }
 * ```
 */
export function recordFailedModelCall(p: {
  agent: string
  keyHint: string | undefined
  requestModel: string
  startTime: number
  error: unknown
  baseURL?: string | undefined
}): void {
  if (!tracingEnabled()) return
  const span = tracer().startSpan(`chat ${p.requestModel}`, { kind: SPAN_KIND_CLIENT, startTime: p.startTime })
  if (!span.isRecording()) return
  span.setAttributes(chatAttributes(p))
  const status = (p.error as { status?: unknown } | null)?.status
  if (typeof status === 'number') span.setAttribute('http.response.status_code', status)
  markFailed(span, p.error)
  span.end()
}

/** The attributes every `chat` span carries, success or failure (GenAI conventions + who called, where). */
function chatAttributes(p: { agent: string; keyHint: string | undefined; requestModel: string; baseURL?: string | undefined }) {
  return {
    [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [A.ATTR_GEN_AI_PROVIDER_NAME]: A.VENICE_PROVIDER,
    [A.ATTR_GEN_AI_REQUEST_MODEL]: p.requestModel,
    ...serverOf(p.baseURL),
    ...(p.keyHint ? { [A.ATTR_VENICE_KEY]: p.keyHint } : {}),
    [A.ATTR_AGENT]: p.agent,
  }
}

let lastServer: { url: string; attributes: Record<string, string | number> } | undefined

/** `server.address` and `server.port` of a base URL (its path, query and credentials never leave); cached for the last URL. */
function serverOf(baseURL: string | undefined): Record<string, string | number> {
  if (!baseURL) return {}
  if (lastServer?.url === baseURL) return lastServer.attributes
  let attributes: Record<string, string | number> = {}
  try {
    const u = new URL(baseURL)
    const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443
    attributes = { [A.ATTR_SERVER_ADDRESS]: u.hostname.replace(/^\[|\]$/g, ''), [A.ATTR_SERVER_PORT]: port }
  } catch {
    // not a URL: no server attributes
  }
  lastServer = { url: baseURL, attributes }
  return attributes
}

/** One tool call (`execute_tool <name>`); a result that is an error counts in `gondola.tool.errors`. */
export function traceToolCall<T extends { ok: boolean; error?: string | undefined }>(
  agent: string,
  name: string,
  callId: string,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) {
    if (!metricsEnabled()) return fn() // nothing to record at all
    // No span; the error counter still counts (a meter provider may be registered without a tracer provider).
    return fn().then((r) => {
      if (!r.ok) meters().toolErrors.add(1, { [A.ATTR_GEN_AI_TOOL_NAME]: name, [A.ATTR_AGENT]: agent })
      return r
    })
  }
  return inSpan(
    `execute_tool ${name}`,
    { [A.ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool', [A.ATTR_GEN_AI_TOOL_NAME]: name, [A.ATTR_GEN_AI_TOOL_CALL_ID]: callId, [A.ATTR_AGENT]: agent },
    async (span) => {
      const r = await fn()
      if (!r.ok) {
        span.setAttribute(A.ATTR_ERROR_TYPE, r.error ?? 'tool_error')
        span.setStatus({ code: SPAN_STATUS_ERROR, message: r.error ?? 'tool error' })
        meters().toolErrors.add(1, { [A.ATTR_GEN_AI_TOOL_NAME]: name, [A.ATTR_AGENT]: agent })
      }
      return r
    },
  )
}

/**
 * One MCP tool call (`execute_tool <name>`, `gondola.surface` = `mcp`): a thrown error fails the span with its
 * `error.type` and is rethrown for the server to turn into a tool error. Model calls inside nest under it.
 *
 * @example
 * ```ts
 * const result = await traceMcpToolCall('mcp', 'venice_chat', () => tool.handler(args, tctx))
 * ```
 */
export function traceMcpToolCall<T>(agent: string, name: string, fn: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return fn()
  return inSpan(
    `execute_tool ${name}`,
    { [A.ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool', [A.ATTR_GEN_AI_TOOL_NAME]: name, [A.ATTR_AGENT]: agent, 'gondola.surface': 'mcp' },
    () => fn(),
  )
}

/** One wallet transaction (`wallet.tx <label>`): hash, gas used and status once known. */
export function traceTransaction<
  T extends { hash?: string | undefined; status?: string | undefined; receipt?: { gasUsed?: bigint; status?: string } | undefined },
>(label: string, to: string | undefined, fn: () => Promise<T>): Promise<T> {
  return inSpan(`wallet.tx ${label}`, { [A.ATTR_WALLET_TX_LABEL]: label, ...(to ? { [A.ATTR_WALLET_TX_TO]: to } : {}) }, async (span) => {
    try {
      const r = await fn()
      span.setAttributes({
        ...(r.hash ? { [A.ATTR_WALLET_TX_HASH]: r.hash } : {}),
        ...(r.receipt?.gasUsed !== undefined ? { [A.ATTR_WALLET_TX_GAS_USED]: Number(r.receipt.gasUsed) } : {}),
        [A.ATTR_WALLET_TX_STATUS]: r.status ?? r.receipt?.status ?? 'unknown',
      })
      meters().transactions.add(1, { [A.ATTR_WALLET_TX_STATUS]: r.status ?? 'unknown' })
      return r
    } catch (err) {
      meters().transactions.add(1, { [A.ATTR_WALLET_TX_STATUS]: 'failed' })
      throw err
    }
  })
}

/** A key operation (`key.mint`, `key.rotate`, `key.revoke`): the key's id and type, never its secret. */
export function traceKeyOperation<T>(
  operation: 'mint' | 'rotate' | 'revoke',
  attributes: { type?: string | undefined; agent?: string | undefined },
  fn: () => Promise<T>,
  idOf: (r: T) => string | undefined,
): Promise<T> {
  return inSpan(
    `key.${operation}`,
    {
      [A.ATTR_KEY_OPERATION]: operation,
      ...(attributes.type ? { [A.ATTR_KEY_TYPE]: attributes.type } : {}),
      ...(attributes.agent ? { [A.ATTR_AGENT]: attributes.agent } : {}),
    },
    async (span) => {
      const r = await fn()
      const id = idOf(r)
      if (id) span.setAttribute(A.ATTR_KEY_ID, id)
      return r
    },
  )
}

/** A funding attempt's outcome (`gondola.topups{outcome}`). */
export function recordFunding(agent: string, outcome: string): void {
  meters().topUps.add(1, { outcome, [A.ATTR_AGENT]: agent })
}

/** A 429 from Venice. */
export function recordRateLimited(model: string): void {
  meters().rateLimited.add(1, { [A.ATTR_GEN_AI_REQUEST_MODEL]: model })
}

/**
 * A key's runway in hours, as a fixed value (finite values only). Prefer `watchRunway`, which reads the monitor at
 * collection time.
 *
 * @example
 * ```ts
 * recordRunway(venice.keyHint, monitor.snapshot().runwayHours)
 * ```
 */
export function recordRunway(keyHint: string | undefined, hours: number): void {
  if (Number.isFinite(hours)) watchRunway(`key:${keyHint}`, keyHint, () => hours)
}
