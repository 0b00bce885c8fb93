/**
 * Strict command-line checking, done once for every command before anything runs.
 *
 * citty ignores flags it does not know and lets a repeated flag silently win (`--dryrun` swapped for real,
 * `--eth 0.01 --eth 0.02` spent 0.02). Here the argv is walked down the command tree exactly as citty will
 * walk it, and each level's flags are checked against that command's declared `args`: an unknown flag, a
 * repeated flag, a string flag without a value, a stray argument or an unknown subcommand is a usage error
 * (exit 2) with a "did you mean" hint, raised before any command code runs.
 *
 * Tokens come from `node:util` `parseArgs` — the parser citty itself uses — so a value is consumed here
 * exactly when citty consumes it.
 */
import { parseArgs } from 'node:util'
import type { ArgDef, ArgsDef, CommandDef } from 'citty'
import { CLIError } from '../CLIError.js'
import { closestName } from './suggest.js'

type AnyCommand = CommandDef<ArgsDef>
type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>)

/** What the walk found: the command path (`['keys', 'mint']`), that command and its parent, and whether `--help`/`--version` was asked for. */
export type CheckedArgv = { path: string[]; command: AnyCommand; parent: AnyCommand | undefined; help: boolean; version: boolean }

/** Flags every command accepts (citty prints usage for them). */
const HELP = new Set(['help', 'h'])

async function resolve<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value
}

/**
 * Checks `rawArgs` against the command tree under `root` and returns the command path it names.
 *
 * @throws {CLIError} (exit 2) for an unknown or repeated flag, a flag missing its value, an unexpected
 *   argument, an unknown or missing subcommand, or a missing required argument.
 *
 * @example
 * ```ts
 * await checkArgv(main, ['swap', '--eth', '0.01', '--dryrun'])
 * // throws CLIError: Unknown flag --dryrun for `gondola swap`. Did you mean --dry-run?
 * ```
 */
export async function checkArgv(root: AnyCommand, rawArgs: readonly string[]): Promise<CheckedArgv> {
  const rootName = (await resolve(root.meta ?? {})).name ?? 'gondola'
  const path: string[] = []
  let command = root
  let parent: AnyCommand | undefined
  let args = [...rawArgs]
  // With --help anywhere (before `--`), only the command path matters: usage is printed, nothing runs.
  const terminator = rawArgs.indexOf('--')
  let help = (terminator < 0 ? rawArgs : rawArgs.slice(0, terminator)).some((a) => a === '--help' || a === '-h')
  for (;;) {
    const defs = await resolve(command.args ?? ({} as ArgsDef))
    const subs = command.subCommands ? await resolve(command.subCommands) : undefined
    const where = `\`${[rootName, ...path].join(' ')}\``
    const tokens = tokenize(args, defs)
    const isRoot = path.length === 0
    if (subs && Object.keys(subs).length > 0) {
      const first = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator')
      const flags = tokens.filter((t) => first === undefined || t.index < first.index)
      const seen = checkFlags(flags, defs, where, { root: isRoot, subcommands: Object.keys(subs), lenient: help })
      help ||= seen.help
      if (seen.version) return { path, command, parent, help, version: true }
      if (first === undefined || first.kind !== 'positional') {
        if (help || command.run) return { path, command, parent, help, version: false }
        throw new CLIError(`${where} needs a command: ${Object.keys(subs).join(', ')}.`, {
          metaMessages: [`e.g. ${[rootName, ...path, Object.keys(subs)[0]].join(' ')} --help`],
          code: 'CLI_MISSING_COMMAND',
        })
      }
      const name = first.value
      const sub = await findSubCommand(subs, name)
      if (!sub) {
        const guess = closestName(name, Object.keys(subs))
        throw new CLIError(`Unknown command "${name}" for ${where}.`, {
          metaMessages: [guess ? `Did you mean \`${[rootName, ...path, guess].join(' ')}\`?` : `Commands: ${Object.keys(subs).join(', ')}.`],
          code: 'CLI_UNKNOWN_COMMAND',
        })
      }
      path.push(name)
      parent = command
      command = sub
      args = args.slice(first.index + 1)
      continue
    }
    const seen = checkFlags(tokens, defs, where, { root: isRoot, subcommands: [], lenient: help })
    help ||= seen.help
    if (!help) checkPositionals(tokens, defs, where)
    return { path, command, parent, help, version: seen.version }
  }
}

type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never

/** Tokens as citty's parser sees them: declared string flags (and their aliases) consume the next argument. */
function tokenize(args: string[], defs: ArgsDef): Token[] {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}
  for (const [name, def] of flagDefs(defs)) {
    const type = def.type === 'boolean' ? 'boolean' : 'string'
    options[name] = { type }
    for (const alias of aliasesOf(def)) {
      if (alias.length === 1) options[name]!.short = alias
      else options[alias] = { type }
    }
  }
  return parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true }).tokens ?? []
}

function flagDefs(defs: ArgsDef): [string, ArgDef][] {
  return Object.entries(defs).filter(([, d]) => d.type !== 'positional')
}

function aliasesOf(def: ArgDef): string[] {
  const alias = (def as { alias?: string | string[] }).alias
  return alias === undefined ? [] : Array.isArray(alias) ? alias : [alias]
}

/** The declared flag a token names: `{ name, def, negated }`, or undefined when it is not declared. */
function lookup(tokenName: string, defs: ArgsDef): { name: string; def: ArgDef; negated: boolean } | undefined {
  for (const [name, def] of flagDefs(defs)) if (name === tokenName || aliasesOf(def).includes(tokenName)) return { name, def, negated: false }
  if (tokenName.startsWith('no-')) {
    const positive = lookup(tokenName.slice(3), defs)
    if (positive?.def.type === 'boolean') return { ...positive, negated: true }
  }
  return undefined
}

function checkFlags(
  tokens: Token[],
  defs: ArgsDef,
  where: string,
  context: { root: boolean; subcommands: string[]; lenient: boolean },
): { help: boolean; version: boolean } {
  const given = new Map<string, string>()
  let help = false
  let version = false
  for (const t of tokens) {
    if (t.kind !== 'option') continue
    if (HELP.has(t.name)) {
      help = true
      continue
    }
    if (context.root && (t.name === 'version' || t.name === 'v')) {
      version = true
      continue
    }
    if (context.lenient) continue
    const found = lookup(t.name, defs)
    if (!found) throw unknownFlag(t.rawName, defs, where, context)
    const shown = t.rawName
    if (found.def.type === 'boolean') {
      if (t.inlineValue && t.value !== 'true' && t.value !== 'false') {
        throw new CLIError(`${shown} is a switch: give it alone, or as ${shown}=true / ${shown}=false, not "${t.value}".`, { code: 'CLI_BAD_FLAG' })
      }
    } else if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) {
      const got = t.value === undefined ? '' : ` It was followed by ${t.value}.`
      throw new CLIError(`--${found.name} needs a value.${got}`, {
        metaMessages: [`e.g. --${found.name} <${found.name}> (or --${found.name}=<value>)`],
        code: 'CLI_MISSING_VALUE',
      })
    } else if (found.def.type === 'enum' && found.def.options?.length && !found.def.options.includes(t.value)) {
      throw new CLIError(`--${found.name} must be one of ${found.def.options.join(', ')}, got "${t.value}".`, { code: 'CLI_BAD_FLAG' })
    }
    const value = found.negated ? 'false' : (t.value ?? 'true')
    const before = given.get(found.name)
    if (before !== undefined) {
      const values = before === value ? '' : ` (${before} and ${value})`
      throw new CLIError(`--${found.name} is given more than once${values}.`, { metaMessages: ['Give each flag once.'], code: 'CLI_REPEATED_FLAG' })
    }
    given.set(found.name, value)
  }
  return { help, version }
}

function unknownFlag(rawName: string, defs: ArgsDef, where: string, context: { root: boolean; subcommands: string[] }): CLIError {
  const bare = rawName.replace(/^-+/, '')
  const names = flagDefs(defs).map(([n]) => n)
  const guess = closestName(bare, [...names, 'help', ...(context.root ? ['version'] : [])])
  const hint = guess
    ? `Did you mean --${guess}?`
    : context.subcommands.length
      ? `Flags go after the command: ${where.slice(0, -1)} <command> ${rawName}\`.`
      : names.length
        ? `Flags of ${where}: ${names.map((n) => `--${n}`).join(', ')}.`
        : `${where} takes no flags.`
  return new CLIError(`Unknown flag ${rawName} for ${where}. Nothing was done.`, { metaMessages: [hint], code: 'CLI_UNKNOWN_FLAG' })
}

function checkPositionals(tokens: Token[], defs: ArgsDef, where: string): void {
  const declared = Object.entries(defs).filter(([, d]) => d.type === 'positional')
  const values = tokens.filter((t): t is Extract<Token, { kind: 'positional' }> => t.kind === 'positional').map((t) => t.value)
  if (values.length > declared.length) {
    const extra = values.slice(declared.length)
    throw new CLIError(`Unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((v) => `"${v}"`).join(' ')} for ${where}.`, {
      metaMessages: [declared.length ? `It takes ${declared.map(([n]) => `<${n}>`).join(' ')} and flags.` : 'It takes flags only (--name value).'],
      code: 'CLI_EXTRA_ARGUMENT',
    })
  }
  declared.forEach(([name, def], i) => {
    if (values[i] === undefined && def.required !== false && def.default === undefined) {
      throw new CLIError(`${where} needs <${name}>${def.description ? ` (${def.description})` : ''}.`, { code: 'CLI_MISSING_ARGUMENT' })
    }
  })
}

async function findSubCommand(subs: Record<string, Resolvable<AnyCommand>>, name: string): Promise<AnyCommand | undefined> {
  if (Object.hasOwn(subs, name)) return resolve(subs[name]!)
  for (const sub of Object.values(subs)) {
    const resolved = await resolve(sub)
    const alias = (await resolve(resolved.meta ?? {})).alias
    if (alias !== undefined && (Array.isArray(alias) ? alias : [alias]).includes(name)) return resolved
  }
  return undefined
}
