import type { CreatedApiKey, Web3KeyBody } from '../venice/schemas.js'
import { BadRequestError, RateLimitError, VeniceAPIError } from '../venice/errors.js'
import { backoffMs, retryAfterMs } from '../util/retry.js'
import { sleep as defaultSleep } from '../util/sleep.js'
import { KeyMintRejectedError, KeyQuotaError, NotStakedError, SignatureVerificationError, TokenExpiredError } from './errors.js'
import type { WalletSigner } from '../wallet/accounts/toSigner.js'

/** What the key flow needs from a wallet: its address and EIP-191 `personal_sign`. */
export type MessageSigner = Pick<WalletSigner, 'address' | 'signMessage'>

/** The two unauthenticated calls of Venice's web3 key flow. */
export type Web3KeyApi = {
  getWeb3Token(): Promise<string>
  postWeb3Key(body: Web3KeyBody): Promise<CreatedApiKey>
}

/** A pause in the key flow that a caller may show as progress: why, and for how long. */
export type KeyWait = {
  reason: 'creation-limit' | 'rate-limited' | 'signature-retry'
  /** For people: "Venice's key-creation limit". */
  what: string
  ms: number
}

export type MintWeb3KeyParameters = Omit<Web3KeyBody, 'address' | 'signature' | 'token'> & {
  signer: MessageSigner
  /** Attempts for "Could not verify wallet signature" (transient). Default 3. */
  verifyRetries?: number | undefined
  sleep?: ((ms: number) => Promise<void>) | undefined
  /** Called before each wait (429 Retry-After, signature retry backoff), so the caller can show progress. */
  onWait?: ((wait: KeyWait) => void) | undefined
  /** Called right before the POST leaves: the caller records the in-flight attempt here. */
  beforeSend?: (() => Promise<void>) | undefined
}

/**
 * One web3 mint: GET the token, `personal_sign` it, POST. Venice's documented error table becomes typed errors:
 * an expired token is fetched and signed again once; "Could not verify wallet signature" is retried with
 * backoff; "Wallet has no staked VVV on Base" is a `NotStakedError`; the 500-active-keys cap is a
 * `KeyQuotaError`; a 429 (20 creations a minute) waits for `Retry-After` and tries again (twice at most);
 * the rest are fatal with the server's message.
 *
 * @example
 * ```ts
 * const key = await mintWeb3Key(client, { signer, apiKeyType: 'INFERENCE', description: 'agent', consumptionLimit: { diem: 1 }, limitPeriod: 'EPOCH' })
 * key.apiKey // shown once: store it immediately
 * ```
 */
export async function mintWeb3Key(api: Web3KeyApi, parameters: MintWeb3KeyParameters): Promise<CreatedApiKey> {
  const { signer, verifyRetries = 3, sleep = defaultSleep, beforeSend, onWait, ...fields } = parameters
  let tokenRefreshes = 0
  let verifyFailures = 0
  let rateLimited = 0
  for (;;) {
    const token = await api.getWeb3Token()
    const signature = await signer.signMessage(token)
    await beforeSend?.()
    try {
      return await api.postWeb3Key({ ...fields, address: signer.address, signature, token })
    } catch (err) {
      const message = err instanceof VeniceAPIError ? (err.serverMessage ?? '') : ''
      // 20 creations per minute: a 429 means nothing was created, so waiting and retrying is safe.
      if (err instanceof RateLimitError && rateLimited++ < 2) {
        const ms = retryAfterMs(err.headers, Date.now()) ?? 60_000
        onWait?.({ reason: 'rate-limited', what: "Venice's key-creation limit (429)", ms })
        await sleep(ms)
        continue
      }
      if (!(err instanceof BadRequestError)) throw err
      if (/maximum of \d+ active api keys/i.test(message)) {
        throw new KeyQuotaError(`Venice holds this wallet's maximum of active keys: ${message}.`, {
          cause: err,
          metaMessages: ['Revoke unused keys first: `gondola keys list`, `gondola keys revoke <id>`.'],
        })
      }
      if (message.includes('JWT has expired')) {
        if (tokenRefreshes++ < 1) continue
        throw new TokenExpiredError('The web3 token expired twice in a row.', {
          cause: err,
          metaMessages: ["Check this machine's clock; the token lives 15 minutes."],
        })
      }
      if (message.includes('Could not verify wallet signature')) {
        if (verifyFailures++ < verifyRetries) {
          const ms = backoffMs(verifyFailures - 1)
          onWait?.({ reason: 'signature-retry', what: 'Venice to verify the wallet signature again', ms })
          await sleep(ms)
          continue
        }
        throw new SignatureVerificationError('Venice could not verify the wallet signature after retries.', {
          cause: err,
          metaMessages: ["This is transient on Venice's side: try again later."],
        })
      }
      if (message.includes('Wallet has no staked VVV')) {
        throw new NotStakedError(`Wallet ${signer.address} has no staked VVV: Venice will not mint a key for it.`, {
          cause: err,
          metaMessages: ['Stake first: `gondola stake --vvv <amount>` (or `gondola provision --stake-vvv <amount>`).'],
        })
      }
      throw new KeyMintRejectedError(`Venice refused to mint the key: ${message || err.shortMessage}`, { cause: err })
    }
  }
}
