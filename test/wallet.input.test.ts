import { mkdtemp, stat, writeFile, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Wallet as EthersWallet } from 'ethers'
import { parseEther } from 'viem'
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { createKeystore } from '../src/wallet/accounts/createKeystore.js'
import { loadAccount } from '../src/wallet/accounts/loadAccount.js'
import { toSigner } from '../src/wallet/accounts/toSigner.js'
import { parseAddress, parseAmount } from '../src/wallet/amounts.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { stakeVvv } from '../src/wallet/actions/stakeVvv.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { useDevnet } from './helpers/useDevnet.js'
import { testWallet } from './helpers/testWallet.js'

describe('parseAmount', () => {
  it.each([
    ['', 'AMOUNT_EMPTY', /empty/],
    ['0', 'AMOUNT_ZERO', /greater than zero/],
    ['0.000', 'AMOUNT_ZERO', /greater than zero/],
    ['-1', 'AMOUNT_NEGATIVE', /negative/],
    ['abc', 'AMOUNT_NOT_NUMERIC', /not a decimal number/],
    ['1e18', 'AMOUNT_NOT_NUMERIC', /not a decimal number/],
    ['1,000', 'AMOUNT_NOT_NUMERIC', /not a decimal number/],
    ['0.1234567890123456789', 'AMOUNT_TOO_PRECISE', /19 decimals; ETH has only 18/],
  ])('rejects %j with %s', (input, code, message) => {
    expect(() => parseAmount(input, { symbol: 'ETH', field: '--eth' })).toThrow(message)
    try {
      parseAmount(input, { symbol: 'ETH', field: '--eth' })
    } catch (err) {
      expect(err).toMatchObject({ name: 'InvalidAmountError', code })
      expect((err as { metaMessages: string[] }).metaMessages[0]).toBeTruthy()
    }
  })

  it('accepts positive decimals up to the token precision', () => {
    expect(parseAmount('0.05')).toBe(parseEther('0.05'))
    expect(parseAmount(' 12 ')).toBe(parseEther('12'))
    expect(parseAmount('0.000000000000000001')).toBe(1n)
    expect(parseAmount('1.5', { decimals: 6 })).toBe(1_500_000n)
  })
})

describe('parseAddress', () => {
  it('checksums valid addresses and rejects malformed ones with what to fix', () => {
    expect(parseAddress('0xacfe6019ed1a7dc6f7b508c02d1b04ec88cc21bf')).toBe('0xacfE6019Ed1A7Dc6f7B508C02d1b04ec88cC21bf')
    expect(() => parseAddress('0x123')).toThrow(/not a valid address/)
    expect(() => parseAddress('hello')).toThrow(/not a valid address/)
    expect(() => parseAddress('0xacfE6019Ed1A7Dc6f7B508C02d1b04ec88cC21BF')).toThrow(/invalid checksum/)
  })
})

describe('keystore and signers', () => {
  it('writes a 0600 v3 keystore, returns only the address, never overwrites, loads with the right password only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-ks-'))
    const path = join(dir, 'wallet.keystore.json')
    const created = await createKeystore({ path, password: 'correct horse', scryptN: 1024 })
    expect(Object.keys(created).sort()).toEqual(['address', 'path'])
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const json = JSON.parse(await readFile(path, 'utf8'))
    expect((json.crypto ?? json.Crypto).kdf).toBe('scrypt')
    expect(json.version).toBe(3)
    await expect(createKeystore({ path, password: 'correct horse', scryptN: 1024 })).rejects.toMatchObject({ code: 'KEYSTORE_EXISTS' })
    const account = await loadAccount({ keystorePath: path, password: 'correct horse' })
    expect(account.address).toBe(created.address)
    const wrong = await loadAccount({ keystorePath: path, password: 'wrong password' }).catch((e: unknown) => e)
    expect(wrong).toMatchObject({ name: 'KeystoreError', code: 'KEYSTORE_BAD_PASSWORD' })
    expect(String((wrong as Error).message)).not.toContain('wrong password')
    await expect(loadAccount({ keystorePath: path })).rejects.toMatchObject({ code: 'KEYSTORE_NO_PASSWORD' })
    await expect(loadAccount({ keystorePath: path, prompt: async () => 'correct horse' })).resolves.toMatchObject({ address: created.address })
    await expect(createKeystore({ path: join(dir, 'b.json'), password: 'short' })).rejects.toMatchObject({ code: 'KEYSTORE_WEAK_PASSWORD' })
  })

  it('rejects missing or non-keystore files and malformed keys; warns on a raw key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-ks-'))
    await expect(loadAccount({ keystorePath: join(dir, 'nope.json'), password: 'x' })).rejects.toMatchObject({ code: 'KEYSTORE_MISSING' })
    await writeFile(join(dir, 'bad.json'), '{"hello":1}')
    await expect(loadAccount({ keystorePath: join(dir, 'bad.json'), password: 'x' })).rejects.toMatchObject({ code: 'KEYSTORE_INVALID' })
    await expect(loadAccount({ privateKey: '0x1234' })).rejects.toMatchObject({ code: 'KEY_MALFORMED' })
    const warnings: string[] = []
    const key = generatePrivateKey()
    const account = await loadAccount({ privateKey: key, warn: (m) => warnings.push(m) })
    expect(account.address).toBe(privateKeyToAccount(key).address)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).not.toContain(key.slice(2))
  })

  it('toSigner gives the same signatures for a viem account and an ethers wallet', async () => {
    const key = generatePrivateKey()
    const viemSigner = await toSigner(privateKeyToAccount(key))
    const ethersSigner = await toSigner(new EthersWallet(key))
    expect(ethersSigner.address).toBe(viemSigner.address)
    expect(await ethersSigner.signMessage('venice token')).toBe(await viemSigner.signMessage('venice token'))
    const tx = {
      type: 'eip1559',
      chainId: 31337,
      nonce: 0,
      to: viemSigner.address,
      data: '0x',
      value: 1n,
      gas: 21000n,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
    } as const
    expect(await ethersSigner.signTransaction(tx)).toBe(await viemSigner.signTransaction(tx))
    await expect(toSigner({} as never)).rejects.toMatchObject({ name: 'UnsupportedSignerError' })
  })
})

describe('bad input on chain: typed error, nothing sent', () => {
  const devnet = useDevnet()
  const nonce = (w: { address: `0x${string}` }) => devnet().publicClient.getTransactionCount({ address: w.address })

  it('zero / negative / non-bigint amounts', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    await expect(swapEthForVvv(w, { amountIn: 0n })).rejects.toMatchObject({ name: 'InvalidAmountError', code: 'AMOUNT_ZERO' })
    await expect(swapEthForVvv(w, { amountIn: -1n })).rejects.toMatchObject({ code: 'AMOUNT_NEGATIVE' })
    await expect(stakeVvv(w, { amount: '5' as never })).rejects.toMatchObject({ code: 'AMOUNT_NOT_BIGINT' })
    expect(await nonce(w)).toBe(0)
  })

  it('insufficient ETH for a swap, insufficient VVV for a stake', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('0.01'), vvv: parseEther('1') })
    const err = await swapEthForVvv(w, { amountIn: parseEther('0.02') }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'InsufficientFundsError', code: 'INSUFFICIENT_ETH' })
    expect((err as { metaMessages: string[] }).metaMessages[0]).toMatch(/Send at least 0.01 ETH/)
    await expect(stakeVvv(w, { amount: parseEther('2') })).rejects.toMatchObject({ code: 'INSUFFICIENT_VVV' })
    expect(await nonce(w)).toBe(0)
  })

  it('an ethers signer drives the same wallet', async () => {
    const key = generatePrivateKey()
    const w = await testWallet(devnet(), { account: new EthersWallet(key), privateKey: key })
    await devnet().fund(w.address, { eth: parseEther('1'), vvv: parseEther('3') })
    await stakeVvv(w, { amount: parseEther('3') })
    expect((await getBalances(w)).svvv.total).toBe(parseEther('3'))
  })
})
