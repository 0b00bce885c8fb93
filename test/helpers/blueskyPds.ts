import { createRequire } from 'node:module'
import Module from 'node:module'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)

/**
 * The hoisting of this repo's node_modules puts express 5 (from @modelcontextprotocol/sdk) at the top level, where
 * `express-async-errors` (a dependency of @atproto/pds, peer `express@^4`) finds it and fails to load
 * (`express/lib/router/layer` is gone in 5). Hand-written because no package fixes a hoist: requests for
 * `express…` made from inside express-async-errors are resolved against @atproto/pds's own express 4 — the very
 * copy the PDS serves with, so its error wrapper patches the right router.
 */
function routeExpressAsyncErrorsToExpress4(): void {
  const M = Module as unknown as {
    _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string
    __gondolaExpressFix?: boolean
  }
  if (M.__gondolaExpressFix) return
  M.__gondolaExpressFix = true
  const pdsRequire = createRequire(require.resolve('@atproto/pds'))
  const original = M._resolveFilename
  M._resolveFilename = function (request, parent, ...rest) {
    if ((request === 'express' || request.startsWith('express/')) && parent?.filename?.includes('/express-async-errors/')) return pdsRequire.resolve(request)
    return original.call(this, request, parent, ...rest)
  }
}

/** A local AT Protocol network (PLC + the reference PDS, no AppView), as `startBlueskyPds` returns it. */
export type BlueskyPds = {
  /** The PDS's base URL (`http://localhost:<port>`). */
  url: string
  /** Creates an account (`<name>.test`) and an app password for it, as a bot operator would. */
  createAccount: (name: string) => Promise<{ handle: string; did: string; appPassword: string }>
  stop: () => Promise<void>
}

/**
 * Starts the reference PDS from @atproto/dev-env (`TestNetworkNoAppView`: PLC in memory, PDS on SQLite) on a free
 * port, with its data and blob folders in one temp dir removed on `stop`.
 *
 * @example
 * ```ts
 * const pds = await startBlueskyPds()
 * const { handle, appPassword } = await pds.createAccount('marco')
 * await pds.stop()
 * ```
 */
export async function startBlueskyPds(): Promise<BlueskyPds> {
  routeExpressAsyncErrorsToExpress4()
  const dir = await mkdtemp(join(tmpdir(), 'gondola-pds-'))
  // TestPds makes its own folders under os.tmpdir(): point that at `dir` while it starts, so nothing is left behind.
  const previous = process.env.TMPDIR
  process.env.TMPDIR = dir
  const { TestNetworkNoAppView } = await import('@atproto/dev-env')
  let net: Awaited<ReturnType<typeof TestNetworkNoAppView.create>>
  try {
    net = await TestNetworkNoAppView.create({})
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  } finally {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
  }
  const { AtpAgent } = await import('@atproto/api')
  return {
    url: net.pds.url,
    async createAccount(name) {
      const handle = `${name}.test`
      const password = `pw-${name}-${Math.random().toString(36).slice(2)}`
      const agent = new AtpAgent({ service: net.pds.url })
      await agent.createAccount({ handle, email: `${name}@example.test`, password })
      const app = await agent.com.atproto.server.createAppPassword({ name: 'gondola' })
      return { handle, did: agent.session!.did, appPassword: app.data.password }
    },
    async stop() {
      await net.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
