import { erc20Abi, parseAbi } from 'viem'

/**
 * ABI of USDC on Base (0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913, Circle's FiatToken v2.2 behind a proxy): ERC-20
 * (6 decimals), EIP-3009 transfer/receive/cancel with authorization (v,r,s and `bytes signature` forms), EIP-2612
 * permit, and the minter functions. The devnet's stand-in (devnet/src/devnet/contracts/USDC.sol) has the same selectors,
 * events and revert strings; its tests check the selectors against this list.
 *
 * @example
 * ```ts
 * const balance = await publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName: 'balanceOf', args: [me] })
 * ```
 */
export const usdcAbi = [
  ...erc20Abi,
  ...parseAbi([
    // EIP-3009
    'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
    'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
    'function receiveWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
    'function receiveWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
    'function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
    'function cancelAuthorization(address authorizer, bytes32 nonce, bytes signature)',
    'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
    'function TRANSFER_WITH_AUTHORIZATION_TYPEHASH() view returns (bytes32)',
    'function RECEIVE_WITH_AUTHORIZATION_TYPEHASH() view returns (bytes32)',
    'function CANCEL_AUTHORIZATION_TYPEHASH() view returns (bytes32)',
    'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
    'event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce)',
    // EIP-2612
    'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
    'function permit(address owner, address spender, uint256 value, uint256 deadline, bytes signature)',
    'function nonces(address owner) view returns (uint256)',
    'function DOMAIN_SEPARATOR() view returns (bytes32)',
    'function PERMIT_TYPEHASH() view returns (bytes32)',
    'function version() view returns (string)',
    'function currency() view returns (string)',
    'function increaseAllowance(address spender, uint256 increment) returns (bool)',
    'function decreaseAllowance(address spender, uint256 decrement) returns (bool)',
    // minting
    'function owner() view returns (address)',
    'function masterMinter() view returns (address)',
    'function isMinter(address account) view returns (bool)',
    'function minterAllowance(address minter) view returns (uint256)',
    'function configureMinter(address minter, uint256 minterAllowedAmount) returns (bool)',
    'function removeMinter(address minter) returns (bool)',
    'function updateMasterMinter(address newMasterMinter)',
    'function mint(address to, uint256 amount) returns (bool)',
    'function burn(uint256 amount)',
    'event Mint(address indexed minter, address indexed to, uint256 amount)',
    'event Burn(address indexed burner, uint256 amount)',
    'event MinterConfigured(address indexed minter, uint256 minterAllowedAmount)',
    'event MinterRemoved(address indexed oldMinter)',
    'event MasterMinterChanged(address indexed newMasterMinter)',
  ]),
] as const

/** USDC's decimals (on Base and on the devnet). */
export const USDC_DECIMALS = 6

/**
 * The EIP-712 domain USDC signs under (FiatToken v2.2: name "USD Coin", version "2").
 *
 * @example
 * ```ts
 * await account.signTypedData({ domain: usdcDomain(chainId, USDC_ADDRESS), types: authorizationTypes, primaryType: 'TransferWithAuthorization', message })
 * ```
 */
export function usdcDomain(chainId: number, verifyingContract: `0x${string}`) {
  return { name: 'USD Coin', version: '2', chainId, verifyingContract } as const
}
