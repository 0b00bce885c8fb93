import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'

/** The wallet holds no sVVV: Venice refuses to mint. Stake first (`gondola stake`), then retry. */
export class NotStakedError extends BaseError {
  override name = 'NotStakedError' as const
  override exitCode: ExitCodeValue = ExitCode.funds
}

/** The web3 token expired twice in a row (clock skew or a very slow signer). */
export class TokenExpiredError extends BaseError {
  override name = 'TokenExpiredError' as const
}

/** Venice could not verify the wallet signature after every retry (transient on their side). */
export class SignatureVerificationError extends BaseError {
  override name = 'SignatureVerificationError' as const
}

/** Venice refused the mint for a reason retrying cannot fix; the server's message is kept. */
export class KeyMintRejectedError extends BaseError {
  override name = 'KeyMintRejectedError' as const
}

/** The key Venice returned does not match what was asked for (type, limits, expiry); it was revoked. */
export class KeyMismatchError extends BaseError {
  override name = 'KeyMismatchError' as const
}

/** A mint is in flight from an earlier run and cannot be reconciled without an ADMIN key. */
export class UnreconciledMintError extends BaseError {
  override name = 'UnreconciledMintError' as const
}

/** A key request is invalid (limits, description, expiry) — nothing was sent. */
export class InvalidKeyRequestError extends BaseError {
  override name = 'InvalidKeyRequestError' as const
  override exitCode: ExitCodeValue = ExitCode.usage
}

/** The key store file is unreadable, has the wrong mode, or the password does not decrypt it. */
export class KeyStoreError extends BaseError {
  override name = 'KeyStoreError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}

/** Too many keys: the 500-active-keys cap or the 20-creations-per-minute limit would be exceeded. */
export class KeyQuotaError extends BaseError {
  override name = 'KeyQuotaError' as const
}

/**
 * The key store file cannot be used as it is: unreadable, truncated or edited JSON, readable by others, a
 * secret that does not decrypt (wrong password, or tampering). The message names the file and what to do;
 * Gondola never writes over a file it could not read.
 */
export class KeyStoreFileError extends BaseError {
  override name = 'KeyStoreFileError' as const
  override exitCode: ExitCodeValue = ExitCode.config
  constructor(
    message: string,
    readonly path: string,
    parameters: BaseErrorParameters = {},
  ) {
    super(message, { code: 'KEY_STORE_FILE', ...parameters })
  }
}
