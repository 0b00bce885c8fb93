import { bytesToHex, hexToBytes, numberToHex, hexToNumber, type Address, type Hex, type PublicClient, type TestClient } from 'viem'
import { addressBookSchema, type AddressBook } from './addressBook.js'
import { DevnetStateError } from './errors.js'

/**
 * Where a Gondola devnet records its own address book, on the chain itself: the storage of this fixed address
 * (no code) holds the book as JSON — slot 0 its byte length, slots 1… the bytes. So an RPC URL alone is enough
 * to find every contract (`DEVNET_RPC_URL`, any state dir); `devnet.json` is a convenience. It lives in the
 * chain state, so saved states (`--state`, the deployed-state cache) carry it.
 */
export const DEVNET_REGISTRY_ADDRESS: Address = '0x00000000000000000000000000000000606f6e64'

const slot = (i: number): Hex => numberToHex(i, { size: 32 })

/**
 * Writes the address book into the devnet's registry storage (anvil's `setStorageAt`).
 *
 * @example
 * ```ts
 * await writeAddressRegistry(testClient, addresses)
 * ```
 */
export async function writeAddressRegistry(testClient: TestClient, book: AddressBook): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(book))
  await testClient.setStorageAt({ address: DEVNET_REGISTRY_ADDRESS, index: slot(0), value: slot(bytes.length) })
  for (let i = 0; i * 32 < bytes.length; i++) {
    const chunk = new Uint8Array(32)
    chunk.set(bytes.subarray(i * 32, i * 32 + 32))
    await testClient.setStorageAt({ address: DEVNET_REGISTRY_ADDRESS, index: slot(i + 1), value: bytesToHex(chunk) })
  }
}

/**
 * Reads the address book a Gondola devnet recorded on its chain.
 *
 * @throws {DevnetStateError} when the chain has none (not a Gondola devnet, or one saved by an older version).
 *
 * @example
 * ```ts
 * const book = await readAddressRegistry(publicClient) // { network: 'devnet', vvv: '0x…', … }
 * ```
 */
export async function readAddressRegistry(publicClient: Pick<PublicClient, 'getStorageAt'>, where = 'this RPC'): Promise<AddressBook> {
  const length = hexToNumber((await publicClient.getStorageAt({ address: DEVNET_REGISTRY_ADDRESS, slot: slot(0) })) ?? '0x0')
  if (length <= 0 || length > 64 * 1024) {
    throw new DevnetStateError(`The chain at ${where} has no Gondola address book.`, {
      metaMessages: ['Point DEVNET_RPC_URL at a devnet started by `gondola devnet` (or startLocalWorld()), or use its state dir (devnet.json).'],
      code: 'DEVNET_NO_REGISTRY',
    })
  }
  const words = await Promise.all(
    Array.from({ length: Math.ceil(length / 32) }, (_, i) => publicClient.getStorageAt({ address: DEVNET_REGISTRY_ADDRESS, slot: slot(i + 1) })),
  )
  const bytes = new Uint8Array(words.flatMap((w) => [...hexToBytes(w ?? '0x', { size: 32 })])).subarray(0, length)
  try {
    return addressBookSchema.parse(JSON.parse(new TextDecoder().decode(bytes))) as AddressBook
  } catch (cause) {
    throw new DevnetStateError(`The address book recorded on the chain at ${where} is unreadable.`, { cause, code: 'DEVNET_NO_REGISTRY' })
  }
}
