import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { createRequire } from 'node:module'
import { z } from 'zod'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { limitPeriodSchema, type LimitPeriod } from './keyStoreSchema.js'

/**
 * A bad `--agents` value or fleet file, saying what to fix. Two classes, one rule: a flag's value is a usage
 * error (exit 2, naming the flag); a file's content is a configuration error (exit 3, naming the file, the line
 * and the column, or the JSON entry).
 */
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

/** Each field's rule, in the words every error uses (flag or file). */
const RULES = {
  agent: 'must be 1–32 lowercase letters, digits and dashes',
  diem: 'must be a positive number of Diem per period, e.g. 1.5',
  period: 'must be EPOCH, MONTH or LIFETIME',
} as const
type Field = keyof typeof RULES
const FIELDS = Object.keys(RULES) as Field[]

const rowSchema = z
  .object({
    agent: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
    diem: z.number().positive().max(9_999_999_999).finite().optional(),
    period: z.string().toUpperCase().pipe(limitPeriodSchema).optional(),
  })
  .strict()

/** A Diem amount as written (`1.5`, `-1`, `2e-3`): a number when it reads as one, else the text, for the error to quote. */
function diemOf(text: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : text
}

/** Checks one row; on failure, the first bad field (or unknown key) and what it held. */
function checkRow(raw: Record<string, unknown>): { ok: true; row: z.infer<typeof rowSchema> } | { ok: false; field: string; got: unknown; rule: string } {
  const parsed = rowSchema.safeParse(raw)
  if (parsed.success) return { ok: true, row: parsed.data }
  const issue = parsed.error.issues[0]!
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!
    return { ok: false, field: key, got: raw[key], rule: `is not a fleet column (use ${FIELDS.join(', ')})` }
  }
  const field = String(issue.path[0] ?? 'agent')
  return { ok: false, field, got: raw[field], rule: RULES[field as Field] ?? issue.message }
}

const got = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v))

/**
 * Reads `--agents`: comma-separated names, each optionally with its own Diem limit (`bot01:1.5,bot02:0.25`);
 * a name without one gets `defaultDiem`.
 *
 * @throws {FleetSpecError} (exit 2) naming `--agents`, the bad entry and what to fix.
 *
 * @example
 * ```ts
 * parseAgentList('bot01:1.5,bot02', { defaultDiem: 1 }) // [{ agent: 'bot01', diem: 1.5 }, { agent: 'bot02', diem: 1 }]
 * ```
 */
export function parseAgentList(value: string, o: { defaultDiem: number; period?: LimitPeriod | undefined }): FleetAgent[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
  const example = 'Example: --agents bot01:1.5,bot02:0.25 (Diem per period; names are lowercase letters, digits, dashes).'
  if (entries.length === 0)
    throw new FleetSpecError('--agents is empty.', { metaMessages: ['Pass names, optionally with limits: --agents bot01:1.5,bot02:0.25'], code: 'FLEET_EMPTY' })
  const rows = entries.map((entry) => {
    const [name, limit, ...rest] = entry.split(':')
    if (rest.length)
      throw new FleetSpecError(`--agents entry "${entry}" is invalid: use name or name:diem.`, { metaMessages: [example], code: 'FLEET_BAD_ENTRY' })
    const checked = checkRow({ agent: name, diem: limit === undefined ? o.defaultDiem : diemOf(limit) })
    if (!checked.ok)
      throw new FleetSpecError(`--agents entry "${entry}" is invalid: ${checked.field} ${checked.rule}; got ${got(checked.got)}.`, {
        metaMessages: [example],
        code: 'FLEET_BAD_ENTRY',
      })
    return {
      where: `entry "${entry}"`,
      agent: {
        agent: checked.row.agent,
        diem: checked.row.diem!,
        ...(o.period ? { period: o.period } : {}),
        ...(limit === undefined ? { defaulted: true } : {}),
      },
    }
  })
  return unique(
    rows,
    (where, agent) =>
      new FleetSpecError(`--agents lists agent "${agent}" twice (${where}).`, { metaMessages: ['List each agent once.'], code: 'FLEET_DUPLICATE' }),
  )
}

/** One row of a fleet file, before validation, and where it is (for the error). */
type FileRow = { where: string; raw: Record<string, unknown>; columnOf: (field: string) => string }

/**
 * Reads a fleet file: JSON (`[{ "agent": "bot01", "diem": 1.5, "period": "EPOCH" }, …]` or `{ "agents": [...] }`)
 * or CSV (RFC 4180, read with csv-parse: quoted cells, CRLF, a UTF-8 BOM, `#` comment lines) with a header
 * naming its columns (`agent,diem[,period]`). A row without `diem` gets `defaultDiem`.
 *
 * @throws {FleetSpecError} (exit 3) naming the file, the line and column (CSV) or entry (JSON), and what to fix.
 *
 * @example
 * ```ts
 * const fleet = await readFleetFile('fleet.csv', { defaultDiem: 1 })
 * ```
 */
export async function readFleetFile(path: string, o: { defaultDiem: number; period?: LimitPeriod | undefined }): Promise<FleetAgent[]> {
  const fail = (message: string, fix: string, code: string, cause?: unknown) =>
    new FleetSpecError(message, { cause, metaMessages: [fix], exitCode: ExitCode.config, code })
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw fail(`Cannot read the fleet file ${path}.`, 'Check the path given to --fleet.', 'FLEET_FILE', cause)
  }
  const rows = extname(path).toLowerCase() === '.csv' ? csvRows(path, text, fail) : jsonRows(path, text, fail)
  if (rows.length === 0) throw fail(`The fleet file ${path} lists no agents.`, 'Add one agent per row (CSV) or entry (JSON).', 'FLEET_EMPTY')
  const agents = rows.map(({ where, raw, columnOf }) => {
    const input = 'name' in raw && !('agent' in raw) ? { ...raw, agent: raw.name, name: undefined } : raw
    const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''))
    const checked = checkRow(cleaned)
    if (!checked.ok) {
      throw fail(
        `${path} ${where}${columnOf(checked.field)}: ${checked.field} ${checked.rule}; got ${got(checked.got)}.`,
        'Each row needs "agent" (lowercase letters, digits, dashes) and may set "diem" (a positive number) and "period" (EPOCH, MONTH, LIFETIME).',
        'FLEET_BAD_ROW',
      )
    }
    const period = checked.row.period ?? o.period
    return {
      where: `${where}${columnOf('agent')}`,
      agent: {
        agent: checked.row.agent,
        diem: checked.row.diem ?? o.defaultDiem,
        ...(period ? { period } : {}),
        ...(checked.row.diem === undefined ? { defaulted: true } : {}),
      },
    }
  })
  return unique(agents, (where, agent, first) =>
    fail(`${path} ${where}: agent "${agent}" is already listed (${first}).`, 'List each agent once.', 'FLEET_DUPLICATE'),
  )
}

type Fail = (message: string, fix: string, code: string, cause?: unknown) => FleetSpecError

function jsonRows(path: string, text: string, fail: Fail): FileRow[] {
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (cause) {
    throw fail(
      `The fleet file ${path} is not valid JSON (${(cause as Error).message}).`,
      'Fix the JSON, or name the file .csv if it is CSV.',
      'FLEET_FILE',
      cause,
    )
  }
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { agents?: unknown }).agents)
      ? (data as { agents: unknown[] }).agents
      : undefined
  if (!list)
    throw fail(`The fleet file ${path} must hold an array of agents, or { "agents": [...] }.`, 'Example: [{ "agent": "bot01", "diem": 1.5 }]', 'FLEET_FILE')
  return list.map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      throw fail(`${path} entry ${i + 1}: expected an object; got ${got(raw)}.`, 'Example: { "agent": "bot01", "diem": 1.5 }', 'FLEET_BAD_ROW')
    return { where: `entry ${i + 1}`, raw: raw as Record<string, unknown>, columnOf: () => '' }
  })
}

/** csv-parse, loaded by the first fleet CSV, not with `import('gondola')` (issue #25). */
const csvParse = () => createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync')

/** CSV through csv-parse: a header line, then one agent per record; cells are trimmed, `#` lines are comments. */
function csvRows(path: string, text: string, fail: Fail): FileRow[] {
  const { CsvError, parse: parseCsv } = csvParse()
  let records: Array<{ record: string[]; info: { lines: number } }>
  try {
    records = parseCsv(text, {
      bom: true,
      comment: '#',
      comment_no_infix: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records
  } catch (cause) {
    const where = cause instanceof CsvError ? ` line ${(cause as InstanceType<typeof CsvError> & { lines?: number }).lines ?? '?'}` : ''
    throw fail(
      `${path}${where}: not valid CSV (${cause instanceof Error ? cause.message.replace(/ at line \d+$/, '') : String(cause)}).`,
      'Quote cells that contain commas or quotes ("a, b"; a quote inside is doubled: "").',
      'FLEET_FILE',
      cause,
    )
  }
  const [header, ...body] = records
  const columns = header?.record.map((c) => c.toLowerCase()) ?? []
  if (!columns.includes('agent') && !columns.includes('name'))
    throw fail(`The fleet file ${path} needs a header line naming its columns: agent,diem[,period].`, 'Make the first line: agent,diem,period', 'FLEET_FILE')
  return body.map(({ record, info }) => {
    if (record.length > columns.length)
      throw fail(
        `${path} line ${info.lines}, column ${columns.length + 1}: the row has ${record.length} cells and the header ${columns.length}.`,
        'Quote a cell that contains a comma, or add the column to the header.',
        'FLEET_BAD_ROW',
      )
    const raw: Record<string, unknown> = {}
    columns.forEach((col, i) => {
      const cell = record[i] ?? ''
      raw[col] = col === 'diem' && cell !== '' ? diemOf(cell) : cell
    })
    return {
      where: `line ${info.lines}`,
      raw,
      columnOf: (field) => `, column ${columns.indexOf(field === 'agent' && !columns.includes('agent') ? 'name' : field) + 1}`,
    }
  })
}

function unique<T extends { where: string; agent: FleetAgent }>(
  rows: T[],
  duplicate: (where: string, agent: string, first: string) => FleetSpecError,
): FleetAgent[] {
  const seen = new Map<string, string>()
  for (const r of rows) {
    const first = seen.get(r.agent.agent)
    if (first !== undefined) throw duplicate(r.where, r.agent.agent, first)
    seen.set(r.agent.agent, r.where)
  }
  return rows.map((r) => r.agent)
}
