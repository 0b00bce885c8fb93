import { defineCommand } from 'citty'
import { createTestClient, http, type PublicClient, type TestClient } from 'viem'
import { USDC_DECIMALS } from '../../chain/abis/usdc.js'
import { readEnv } from '../../config/env.js'
import { resolveChain } from '../../runtime/createClients.js'
import { loadDevnet } from '../../devnet/lazy.js'
import { parseAddress, parseAmount } from '../../wallet/amounts.js'
import { CLIConfigError } from '../CLIError.js'
import { jsonArg, printJson } from '../output.js'
import { configuredAddress } from './wallet.js'

/**
 * `gondola faucet [--eth N] [--vvv N] [--usdc N] [--address A]`: devnet only — ETH (anvil_setBalance), VVV from the
 * reserve, USDC minted by the devnet's USDC minter.
 */
export default defineCommand({
  meta: { name: 'faucet', description: 'Devnet only: give the wallet (or --address) ETH, VVV and USDC' },
  args: {
    eth: { type: 'string', description: 'ETH to add', default: '1' },
    vvv: { type: 'string', description: 'VVV to send from the devnet reserve', default: '0' },
    usdc: { type: 'string', description: 'USDC to mint (6 decimals), e.g. 20', default: '0' },
    address: { type: 'string', description: 'Recipient (default: the configured wallet)' },
    ...jsonArg,
  },
  async run({ args }) {
    const env = readEnv()
    if (env.GONDOLA_NETWORK !== 'devnet')
      throw new CLIConfigError('The faucet exists only on the devnet.', {
        metaMessages: ['Unset GONDOLA_NETWORK or set it to devnet.'],
        code: 'CLI_NOT_DEVNET',
      })
    const to = args.address ? parseAddress(args.address, '--address') : await configuredAddress(env)
    const eth = args.eth === '0' ? 0n : parseAmount(args.eth, { symbol: 'ETH', field: '--eth' })
    const vvv = args.vvv === '0' ? 0n : parseAmount(args.vvv, { symbol: 'VVV', field: '--vvv' })
    const usdc = args.usdc === '0' ? 0n : parseAmount(args.usdc, { symbol: 'USDC', field: '--usdc', decimals: USDC_DECIMALS })
    const { publicClient, chain, rpcUrl, addresses } = await resolveChain(env)
    const testClient = createTestClient({ chain, transport: http(rpcUrl), mode: 'anvil' }) as TestClient
    const { createFaucet } = await loadDevnet()
    const fund = createFaucet({ publicClient: publicClient as PublicClient, testClient, chain, vvv: addresses.vvv, usdc: addresses.usdc })
    await fund(to, { eth, vvv, usdc })
    if (args.json) printJson({ address: to, eth: args.eth, vvv: args.vvv, usdc: args.usdc })
    else process.stdout.write(`Sent ${args.eth} ETH, ${args.vvv} VVV and ${args.usdc} USDC to ${to}\n`)
  },
})
