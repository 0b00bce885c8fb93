import { readFile } from 'node:fs/promises'
import { defineCommand } from 'citty'
import type { Address } from 'viem'
import { isInteractive, readEnv, type Env } from '../../config/env.js'
import { KeystoreError } from '../../wallet/errors.js'
import { keystorePathFromEnv } from '../../runtime/keystorePath.js'
import { CLIConfigError, CLIError } from '../CLIError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { jsonArg, printJson } from '../output.js'

// Each subcommand loads what it needs when it runs (viem's address helpers, the keystore's scrypt, the chain
// client), so that `gondola wallet address` starts in a fraction of the time of `gondola wallet balance`.

/** The configured address, without decrypting anything: the raw key's address, or the keystore's `address` field. */
export async function configuredAddress(env: Env): Promise<Address> {
  // Not viem/accounts or viem/utils: ~400 modules for these two helpers (see lightAddress.ts).
  const { addressOfPrivateKey, checksummedAddress } = await import('../../wallet/accounts/lightAddress.js')
  if (env.GONDOLA_PRIVATE_KEY) return addressOfPrivateKey(env.GONDOLA_PRIVATE_KEY as `0x${string}`)
  const path = keystorePathFromEnv(env)
  const text = await readFile(path, 'utf8').catch(() => {
    throw new KeystoreError(`No wallet at ${path}.`, { metaMessages: ['Run `gondola wallet new`, or set GONDOLA_KEYSTORE.'], code: 'KEYSTORE_MISSING' })
  })
  let raw: unknown
  try {
    raw = (JSON.parse(text) as { address?: unknown }).address
  } catch {
    throw new KeystoreError(`The keystore ${path} is not valid JSON (truncated or edited).`, {
      metaMessages: [`Restore ${path} from your backup (it is never written over), or point GONDOLA_KEYSTORE at a v3 keystore.`],
      code: 'KEYSTORE_INVALID',
      exitCode: ExitCode.config,
    })
  }
  const checked = typeof raw === 'string' ? await checksummedAddress(raw) : undefined
  if (!checked) {
    throw new KeystoreError(`The keystore ${path} has no valid "address" field.`, {
      metaMessages: ['Point GONDOLA_KEYSTORE at a v3 keystore.'],
      code: 'KEYSTORE_INVALID',
      exitCode: ExitCode.config,
    })
  }
  return checked
}

async function newPassword(env: Env): Promise<string> {
  if (env.GONDOLA_KEYSTORE_PASSWORD) return env.GONDOLA_KEYSTORE_PASSWORD
  if (!isInteractive())
    throw new CLIConfigError('No password for the new keystore.', {
      metaMessages: ['Set GONDOLA_KEYSTORE_PASSWORD, or run in a terminal to be prompted.'],
      code: 'CLI_NO_PASSWORD',
    })
  const { default: password } = await import('@inquirer/password')
  const first = await password({ message: 'New keystore password (8+ characters)', mask: '*' })
  const second = await password({ message: 'Repeat the password', mask: '*' })
  if (first !== second) throw new CLIError('The passwords differ.', { metaMessages: ['Run `gondola wallet new` again.'], code: 'CLI_PASSWORD_MISMATCH' })
  return first
}

const create = defineCommand({
  meta: { name: 'new', description: 'Create an encrypted keystore (v3, scrypt, mode 0600) and print its address only' },
  args: { ...jsonArg },
  async run({ args }) {
    const env = readEnv()
    const { createKeystore } = await import('../../wallet/accounts/createKeystore.js')
    const { address, path } = await createKeystore({ path: keystorePathFromEnv(env), password: await newPassword(env) })
    if (args.json) printJson({ address, keystore: path })
    else process.stdout.write(`${address}\n`)
  },
})

const address = defineCommand({
  meta: { name: 'address', description: "Print the wallet's address (no password needed)" },
  args: { ...jsonArg },
  async run({ args }) {
    const a = await configuredAddress(readEnv())
    if (args.json) printJson({ address: a })
    else process.stdout.write(`${a}\n`)
  },
})

const balance = defineCommand({
  meta: { name: 'balance', description: 'ETH, VVV, sVVV, rewards, cooldowns and DIEM in one request' },
  args: { address: { type: 'string', description: 'Another address to inspect' }, ...jsonArg },
  async run({ args }) {
    const env = readEnv()
    const [{ resolveChain }, { getBalances }, { parseAddress }, { fmt, presentable }] = await Promise.all([
      import('../../runtime/createClients.js'),
      import('../../wallet/actions/getBalances.js'),
      import('../../wallet/amounts.js'),
      import('../walletCommand.js'),
    ])
    const who = args.address ? parseAddress(args.address, '--address') : await configuredAddress(env)
    const { publicClient, addresses } = await resolveChain(env)
    const b = await getBalances({ address: who, publicClient, addresses })
    if (args.json) return printJson(presentable(b))
    const when = (end: bigint) => new Date(Number(end) * 1000).toISOString()
    const lines = [
      `address         ${b.address}`,
      `ETH             ${fmt(b.eth)}`,
      `VVV             ${fmt(b.vvv)}  (allowance to staking ${fmt(b.vvvAllowanceToStaking)})`,
      `sVVV            ${fmt(b.svvv.total)}  (unlocked ${fmt(b.svvv.unlocked)}, locked behind DIEM ${fmt(b.svvv.locked)})`,
      `rewards         ${fmt(b.pendingRewards)} VVV pending`,
      `unstaking       ${b.unstake.amount > 0n ? `${fmt(b.unstake.amount)} VVV, ${b.unstake.ready ? 'ready' : `until ${when(b.unstake.end)}`}` : 'none'}`,
      `DIEM            ${fmt(b.diem.liquid)} liquid, ${fmt(b.diem.staked)} staked${b.diem.coolingDown > 0n ? `, ${fmt(b.diem.coolingDown)} cooling down ${b.diem.ready ? '(ready)' : `until ${when(b.diem.end)}`}` : ''}`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  },
})

/** `gondola wallet new|address|balance`. */
export default defineCommand({
  meta: { name: 'wallet', description: "The agent's wallet: create it, show its address and balances" },
  subCommands: { new: create, address, balance },
})
