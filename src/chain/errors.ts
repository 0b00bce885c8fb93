import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { BaseError } from '../errors/BaseError.js'

/**
 * No devnet address book was found in (or could be read from) the state directory or the chain: the devnet is
 * not running, or DEVNET_RPC_URL points at a chain that is not a Gondola devnet.
 */
export class DevnetStateError extends BaseError {
  override name = 'DevnetStateError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}
