import { existsSync } from 'node:fs'
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { BaseError } from '../errors/BaseError.js'
import { ExitCode } from '../errors/exitCodes.js'
import { agentDefinitionSchema } from '../agent/defineAgent.js'
import { devnetSpecFor, gondolaPackage, gondolaSpecFor } from './gondolaSpec.js'
import * as t from './templates.js'

/** The target folder is not empty (and `force` was not given), or a name is invalid. */
export class InitError extends BaseError {
  override name = 'InitError' as const
  override exitCode = ExitCode.usage
}

export type InitProjectParameters = {
  /** Folder to create the project in (created if missing). */
  dir: string
  /** The first agent's name (default `weather`). */
  agent?: string | undefined
  /** How the project depends on gondola (default: wherever this gondola came from, see `gondolaSpecFor`; e.g. `file:../gondola-0.1.0.tgz`). */
  gondolaSpec?: string | undefined
  /** Write into a non-empty folder, overwriting files of the same names. */
  force?: boolean | undefined
}

export type InitProjectReturnType = {
  dir: string
  projectName: string
  agent: string
  files: string[]
  /** The gondola dependency written into package.json. */
  gondolaSpec: string
  /** Set when the project depends on a clone that has no build yet: what to run before `npm install`. */
  buildFirst?: string | undefined
}

/**
 * Scaffolds an agent project: package.json depending on gondola, tsconfig.json, .env.example, .gitignore, a
 * README, `agents/<agent>.ts` with a custom tool, and a vitest test that runs the agent against
 * `startLocalWorld()`. Refuses a non-empty folder unless `force`.
 *
 * @throws {InitError} for a non-empty folder without `force`, or an invalid agent name.
 *
 * @example
 * ```ts
 * const { files } = await initProject({ dir: 'my-agent' })
 * files // ['package.json', 'tsconfig.json', …, 'agents/weather.ts', 'test/weather.test.ts']
 * ```
 */
export async function initProject(p: InitProjectParameters): Promise<InitProjectReturnType> {
  const dir = resolve(p.dir)
  const agent = p.agent ?? 'weather'
  if (!agentDefinitionSchema.shape.name.safeParse(agent).success) {
    throw new InitError(`--agent must be lowercase letters, digits and dashes (starting with a letter or digit), got "${agent}".`, { code: 'INIT_BAD_NAME' })
  }
  if (existsSync(dir)) {
    if (!(await stat(dir)).isDirectory()) throw new InitError(`${dir} exists and is not a folder.`, { code: 'INIT_NOT_DIR' })
    const entries = (await readdir(dir)).filter((e) => e !== '.git')
    if (entries.length && !p.force) {
      throw new InitError(`${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}).`, {
        metaMessages: ['Pick a new folder, or pass --force to write the scaffold into it (files of the same names are overwritten).'],
        code: 'INIT_NOT_EMPTY',
      })
    }
  }
  const { pkg: own, root } = gondolaPackage()
  const dep = (name: string) => own.dependencies?.[name] ?? own.devDependencies?.[name] ?? own.peerDependencies?.[name] ?? 'latest'
  const gondolaSpec = p.gondolaSpec ?? gondolaSpecFor(root, own.version)
  const options: t.ScaffoldOptions = {
    projectName: npmName(basename(dir)),
    agent,
    gondolaSpec,
    versions: {
      zod: dep('zod'),
      viem: dep('viem'),
      tsx: dep('tsx'),
      typescript: dep('typescript'),
      vitest: dep('vitest'),
      typesNode: dep('@types/node'),
    },
    devnetSpec: devnetSpecFor(gondolaSpec, own.version).dep,
  }
  const files: Record<string, string> = {
    'package.json': t.packageJson(options),
    'tsconfig.json': t.tsconfigJson,
    'vitest.config.ts': t.vitestConfig,
    '.env.example': t.envExample,
    '.gitignore': t.gitignore,
    'README.md': t.readme(options),
    [`agents/${agent}.ts`]: t.agentModule(options),
    [`test/${agent}.test.ts`]: t.agentTest(options),
  }
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true })
    await writeFile(join(dir, rel), content)
  }
  // A clone is linked as it is: the project imports its compiled dist/, which a fresh clone does not have yet.
  const linked = options.gondolaSpec.startsWith('file:') && !options.gondolaSpec.endsWith('.tgz') ? options.gondolaSpec.slice('file:'.length) : undefined
  const buildFirst =
    linked && existsSync(join(linked, 'src')) && !existsSync(join(linked, 'dist', 'src', 'index.js')) ? `npm run build --prefix ${linked}` : undefined
  return { dir, projectName: options.projectName, agent, files: Object.keys(files), gondolaSpec: options.gondolaSpec, buildFirst }
}

/** A valid npm package name from a folder name. */
function npmName(folder: string): string {
  const n = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 214)
  return n || 'my-agent'
}
