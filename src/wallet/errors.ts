/**
 * Every error the wallet throws. Each names what went wrong and, in `metaMessages[0]`, what to fix.
 * Nothing here ever carries a private key or a password.
 */
import { ExitCode, type ExitCodeValue } from '../errors/exitCodes.js'
import type { Address, Hex } from 'viem'
import { BaseError, type BaseErrorParameters } from '../errors/BaseError.js'
import { FileLockedError, formatWait, type LockHolder } from '../util/fileLock.js'

/** An amount is zero, negative, non-numeric, too precise or out of range. Nothing was sent. */
export class InvalidAmountError extends BaseError {
  override name = 'InvalidAmountError' as const
  override exitCode: ExitCodeValue = ExitCode.usage
}

/** An address is malformed. Nothing was sent. */
export class InvalidAddressError extends BaseError {
  override name = 'InvalidAddressError' as const
  override exitCode: ExitCodeValue = ExitCode.usage
}

/** The RPC endpoint serves another chain than the address book expects. Nothing was sent. */
export class ChainMismatchError extends BaseError {
  override name = 'ChainMismatchError' as const
  override exitCode: ExitCodeValue = ExitCode.config
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`The RPC endpoint is on chain ${actual}, but the address book is for chain ${expected}.`, {
      metaMessages: [`Point the RPC URL at chain ${expected}, or choose the matching network with GONDOLA_NETWORK.`],
      code: 'CHAIN_MISMATCH',
    })
  }
}

/** The wallet holds less than the operation needs. Nothing was sent. */
export class InsufficientFundsError extends BaseError {
  override name = 'InsufficientFundsError' as const
  override exitCode: ExitCodeValue = ExitCode.funds
}

/** A spend-policy limit forbids the transaction. Raised before anything is signed. */
export class PolicyViolationError extends BaseError {
  override name = 'PolicyViolationError' as const
  override exitCode: ExitCodeValue = ExitCode.policy
}

/** A cooldown (sVVV unstake or DIEM unstake) has not ended yet. Nothing was sent. */
export class CooldownNotOverError extends BaseError {
  override name = 'CooldownNotOverError' as const
  constructor(
    readonly what: string,
    readonly endsAt: Date,
    parameters: BaseErrorParameters = {},
  ) {
    super(`The ${what} cooldown is not over: it ends at ${endsAt.toISOString()}.`, {
      metaMessages: [`Run it again after ${endsAt.toISOString()}.`],
      code: 'COOLDOWN_NOT_OVER',
      ...parameters,
    })
  }
}

/** There is nothing to act on (no cooldown started, no rewards, …). Nothing was sent. */
export class NothingToDoError extends BaseError {
  override name = 'NothingToDoError' as const
}

/** A contract call reverted, in simulation or on chain. `errorName` is the decoded custom error, e.g. `CooldownNotOver`. */
export class TransactionRevertedError extends BaseError {
  override name = 'TransactionRevertedError' as const
  constructor(
    readonly label: string,
    readonly errorName: string | undefined,
    readonly phase: 'simulation' | 'onchain',
    readonly hash: Hex | undefined,
    parameters: BaseErrorParameters = {},
  ) {
    const reason = errorName ? ` with ${errorName}` : ''
    super(`${label} reverted${reason}${phase === 'simulation' ? ' in simulation (nothing was sent)' : ` on chain (tx ${hash})`}.`, {
      code: 'TX_REVERTED',
      ...parameters,
    })
  }
}

/** No receipt arrived in time. The journal keeps the signed transaction; running the same command again resumes it. */
export class ReceiptTimeoutError extends BaseError {
  override name = 'ReceiptTimeoutError' as const
  constructor(
    readonly hash: Hex,
    timeoutMs: number,
    parameters: BaseErrorParameters = {},
  ) {
    super(`No receipt for ${hash} after ${Math.round(timeoutMs / 1000)} s.`, {
      metaMessages: ['Run the same command again: it waits for this transaction instead of sending a new one.'],
      code: 'RECEIPT_TIMEOUT',
      ...parameters,
    })
  }
}

/** The keystore is missing, unreadable, or the password is wrong. */
export class KeystoreError extends BaseError {
  override name = 'KeystoreError' as const
  override exitCode: ExitCodeValue = ExitCode.config
}

/** No swap route with liquidity exists for the pair. Nothing was sent. */
export class NoRouteError extends BaseError {
  override name = 'NoRouteError' as const
}

/** The journal is unreadable or records a state the chain contradicts. Nothing was sent. */
export class JournalError extends BaseError {
  override name = 'JournalError' as const
  override exitCode: ExitCodeValue = ExitCode.config
  /** True when the file does not exist (only raised where a missing journal matters). */
  missing = false
  constructor(
    message: string,
    readonly path: string,
    parameters: BaseErrorParameters = {},
  ) {
    super(message, { code: 'JOURNAL', ...parameters })
  }
}

/** A signer that is neither a viem local account nor an ethers signer. */
export class UnsupportedSignerError extends BaseError {
  override name = 'UnsupportedSignerError' as const
  constructor(readonly address?: Address) {
    super('The signer must be a viem LocalAccount (privateKeyToAccount, …) or an ethers Signer.', { code: 'SIGNER_UNSUPPORTED' })
  }
}

/** Who holds a journal lock, as written in the lock file. */
export type { LockHolder }

/** Another process is running a wallet action on the same journal (state dir, chain, address) and did not finish in time. Nothing was sent. */
export class WalletLockedError extends FileLockedError {
  override name = 'WalletLockedError' as const
  constructor(lockPath: string, holder: LockHolder | undefined, timeoutMs: number, parameters: BaseErrorParameters = {}) {
    const who = holder ? `process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})` : 'another process'
    super(lockPath, holder, timeoutMs, `The wallet is busy: ${who} holds ${lockPath}; gave up after ${formatWait(timeoutMs)}. Nothing was sent.`, {
      metaMessages: [
        'Wait for that process to finish and run the command again, or raise the wallet lock timeout.',
        `If that process is no longer running, delete ${lockPath} (a lock whose process has exited on this host is taken over automatically).`,
      ],
      code: 'WALLET_LOCKED',
      ...parameters,
    })
  }
}
