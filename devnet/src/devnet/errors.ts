import { BaseError } from 'gondola/errors'

/** The anvil binary could not be found in node_modules. */
export class AnvilNotFoundError extends BaseError {
  override name = 'AnvilNotFoundError' as const
}

/** The requested devnet port is already taken by another process. */
export class PortInUseError extends BaseError {
  override name = 'PortInUseError' as const
}

/** anvil exited or failed to report its port before it was ready. */
export class AnvilStartError extends BaseError {
  override name = 'AnvilStartError' as const
}

/** solc-js reported errors while compiling the devnet contracts. */
export class ContractCompileError extends BaseError {
  override name = 'ContractCompileError' as const
}

/** A deployment step (transaction or RPC call) failed while setting up the devnet. */
export class DevnetDeployError extends BaseError {
  override name = 'DevnetDeployError' as const
}

/** The faucet could not fund an address (e.g. the VVV reserve is exhausted). */
export class FaucetError extends BaseError {
  override name = 'FaucetError' as const
}

export { DevnetStateError } from 'gondola/chain'
