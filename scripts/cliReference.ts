/**
 * Renders the CLI reference (markdown) from the command definitions themselves, so the README cannot drift:
 * `npx tsx scripts/cliReference.ts` prints it, `--write` updates README.md; `test/readme.test.ts` checks the README holds exactly this.
 */
import type { ArgsDef, CommandDef } from 'citty'
import { subCommands } from '../src/cli/commands/index.js'

type AnyCommand = CommandDef<ArgsDef>

async function resolve<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value
}

function renderArgs(args: ArgsDef | undefined): string {
  const parts: string[] = []
  for (const [name, def] of Object.entries(args ?? {})) {
    if (def.type === 'positional') parts.push(`<${name}>`)
    else if (def.type === 'boolean') parts.push(`[--${name}]`)
    else parts.push(`[--${name} <${name}>]`)
  }
  return parts.join(' ')
}

async function renderCommand(path: string[], command: AnyCommand, out: string[]): Promise<void> {
  const meta = await resolve(command.meta ?? {})
  const subs = command.subCommands ? await resolve(command.subCommands) : undefined
  if (subs && Object.keys(subs).length) {
    for (const [name, sub] of Object.entries(subs)) await renderCommand([...path, name], (await resolve(sub)) as AnyCommand, out)
    return
  }
  const args = await resolve(command.args ?? {})
  out.push(`| \`gondola ${[...path, renderArgs(args)].filter(Boolean).join(' ')}\` | ${meta.description ?? ''} |`)
}

/** The markdown table of every command, in registration order. */
export async function renderCliReference(): Promise<string> {
  const out = ['| command | what it does |', '|---|---|']
  for (const [name, load] of Object.entries(subCommands)) await renderCommand([name], (await load()) as AnyCommand, out)
  return out.join('\n')
}

const START = '<!-- cli-reference:start -->'
const END = '<!-- cli-reference:end -->'

/** README text with the reference block replaced by the generated one. */
export function withCliReference(readme: string, reference: string): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`)
  return `${readme.slice(0, start + START.length)}\n${reference}\n${readme.slice(end)}`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reference = await renderCliReference()
  if (process.argv.includes('--write')) {
    const { readFile, writeFile } = await import('node:fs/promises')
    const path = new URL('../README.md', import.meta.url)
    await writeFile(path, withCliReference(await readFile(path, 'utf8'), reference))
  } else process.stdout.write(`${reference}\n`)
}
