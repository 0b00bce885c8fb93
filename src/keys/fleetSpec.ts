import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { z } from 'zod'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { limitPeriodSchema, type LimitPeriod } from './keyStoreSchema.js'

/** A bad `--agents` value or fleet file: names the entry (and line) and what to fix. */
export class FleetSpecError extends BaseError {
  override name = 'FleetSpecError' as const
  /** Usage (2) for a bad flag; the file readers pass config (3) for a bad file. */
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { exitCode: ExitCode.usage, ...parameters })
  }
}

/**
 * One agent of a fleet and its own key limit. `defaulted`: no limit was given for this agent (a bare name, a row
 * without diem): `diem` is the default, and a live key it already has keeps its own limits.
 */
export type FleetAgent = { agent: string; diem: number; period?: LimitPeriod | undefined; defaulted?: boolean | undefined }

const agentName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1–32 lowercase letters, digits and dashes')
const diem = z.number().positive('must be a positive number of Diem').max(9_999_999_999).finite()
const rowSchema = z.object({ agent: agentName, diem: diem.optional(), period: z.string().toUpperCase().pipe(limitPeriodSchema).optional() }).strict()

/**
 * Reads `--agents`: comma-separated names, each optionally with its own Diem limit (`bot01:1.5,bot02:0.25`);
 * a name without one gets `defaultDiem`.
 *
 * @throws {FleetSpecError} naming the bad entry.
 *
 * @example
 * ```ts
 * parseAgentList('bot01:1.5,bot02', { defaultDiem: 1 }) // [{ agent: 'bot01', diem: 1.5 }, { agent: 'bot02', diem: 1 }]
 * ```
 */
export function parseAgentList(value: string, o: { defaultDiem: number; period?: LimitPeriod | undefined }): FleetAgent[] {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean)
  if (entries.length === 0) throw new FleetSpecError('--agents is empty.', { metaMessages: ['Pass names, optionally with limits: --agents bot01:1.5,bot02:0.25'], code: 'FLEET_EMPTY' })
  return unique(
    entries.map((entry) => {
      const [name, limit, ...rest] = entry.split(':')
      const n = limit === undefined ? o.defaultDiem : /^\d+(\.\d+)?$/.test(limit) ? Number(limit) : NaN
      const row = rowSchema.safeParse({ agent: name, diem: n })
      if (rest.length || !row.success) {
        const why = rest.length ? 'use name or name:diem' : `${row.error!.issues[0]!.path.join('.')} ${row.error!.issues[0]!.message}`
        throw new FleetSpecError(`--agents entry "${entry}" is invalid: ${why}.`, { metaMessages: ['Example: --agents bot01:1.5,bot02:0.25 (Diem per period; names are lowercase letters, digits, dashes).'], code: 'FLEET_BAD_ENTRY' })
      }
      return { agent: row.data.agent, diem: row.data.diem!, ...(o.period ? { period: o.period } : {}), ...(limit === undefined ? { defaulted: true } : {}) }
    }),
    '--agents',
  )
}

/**
 * Reads a fleet file: JSON (`[{ "agent": "bot01", "diem": 1.5, "period": "EPOCH" }, …]` or `{ "agents": [...] }`)
 * or CSV with a header (`agent,diem[,period]`). A row without `diem` gets `defaultDiem`.
 *
 * @throws {FleetSpecError} naming the file, the row (line) and the field.
 *
 * @example
 * ```ts
 * const fleet = await readFleetFile('fleet.csv', { defaultDiem: 1 })
 * ```
 */
export async function readFleetFile(path: string, o: { defaultDiem: number; period?: LimitPeriod | undefined }): Promise<FleetAgent[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new FleetSpecError(`Cannot read the fleet file ${path}.`, { cause, exitCode: ExitCode.config, code: 'FLEET_FILE' })
  }
  const rows: Array<{ where: string; raw: unknown }> = extname(path).toLowerCase() === '.csv' ? csvRows(path, text) : jsonRows(path, text)
  if (rows.length === 0) throw new FleetSpecError(`The fleet file ${path} lists no agents.`, { exitCode: ExitCode.config, code: 'FLEET_EMPTY' })
  return unique(
    rows.map(({ where, raw }) => {
      const input = raw && typeof raw === 'object' && 'name' in raw && !('agent' in raw) ? { ...(raw as object), agent: (raw as { name: unknown }).name, name: undefined } : raw
      const cleaned = input && typeof input === 'object' ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== '')) : input
      const row = rowSchema.safeParse(cleaned)
      if (!row.success) {
        const issue = row.error.issues[0]!
        throw new FleetSpecError(`${path} ${where}: ${issue.path.join('.') || 'row'} ${issue.message}.`, { metaMessages: ['Each row needs "agent" (lowercase letters, digits, dashes) and may set "diem" (positive) and "period" (EPOCH, MONTH, LIFETIME).'], exitCode: ExitCode.config, code: 'FLEET_BAD_ROW' })
      }
      return { agent: row.data.agent, diem: row.data.diem ?? o.defaultDiem, ...((row.data.period ?? o.period) ? { period: row.data.period ?? o.period } : {}), ...(row.data.diem === undefined ? { defaulted: true } : {}) }
    }),
    path,
  )
}

function jsonRows(path: string, text: string): Array<{ where: string; raw: unknown }> {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (cause) {
    throw new FleetSpecError(`The fleet file ${path} is not valid JSON.`, { cause, exitCode: ExitCode.config, code: 'FLEET_FILE' })
  }
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { agents?: unknown }).agents) ? (data as { agents: unknown[] }).agents : undefined
  if (!list) throw new FleetSpecError(`The fleet file ${path} must hold an array of agents, or { "agents": [...] }.`, { exitCode: ExitCode.config, code: 'FLEET_FILE' })
  return list.map((raw, i) => ({ where: `entry ${i + 1}`, raw }))
}

/** A header line, then one agent per line; simple comma-separated values (agent names and numbers need no quoting). */
function csvRows(path: string, text: string): Array<{ where: string; raw: unknown }> {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, cells: l.split(',').map((c) => c.trim()) })).filter((l) => l.cells.some(Boolean) && !l.cells[0]!.startsWith('#'))
  const header = lines.shift()
  if (!header || !header.cells.includes('agent')) throw new FleetSpecError(`The fleet file ${path} needs a header line naming its columns: agent,diem[,period].`, { exitCode: ExitCode.config, code: 'FLEET_FILE' })
  return lines.map(({ line, cells }) => {
    const raw: Record<string, unknown> = {}
    header.cells.forEach((col, i) => {
      const v = cells[i] ?? ''
      raw[col] = col === 'diem' && v !== '' ? (/^\d+(\.\d+)?$/.test(v) ? Number(v) : v) : v
    })
    return { where: `line ${line}`, raw }
  })
}

function unique(rows: FleetAgent[], where: string): FleetAgent[] {
  const seen = new Set<string>()
  for (const r of rows) {
    if (seen.has(r.agent)) throw new FleetSpecError(`${where} lists agent "${r.agent}" twice.`, { code: 'FLEET_DUPLICATE' })
    seen.add(r.agent)
  }
  return rows
}
