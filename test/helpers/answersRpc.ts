/**
 * Whether anything still answers a JSON-RPC POST at `url` within 2 s (an anvil, or the emulator's port): how a
 * process test checks that a stopped world left nothing listening.
 *
 * @example
 * ```ts
 * expect(await answersRpc(summary.details.world.rpcUrl)).toBe(false)
 * ```
 */
export async function answersRpc(url: string): Promise<boolean> {
  try {
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
      signal: AbortSignal.timeout(2000),
    })
    return true
  } catch {
    return false
  }
}
