import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { resolveChain } from '../src/runtime/createClients.js'
import { DEVNET_REGISTRY_ADDRESS } from '../src/chain/addressRegistry.js'
import { ensureAgentKey } from '../src/keys/ensureAgentKey.js'
import { parseAgentList, readFleetFile } from '../src/keys/fleetSpec.js'
import { provision } from '../src/keys/provision.js'
import { createApiClock } from '../src/venice/apiClock.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('fleet specs', () => {
  it('reads per-agent limits from --agents and from JSON/CSV fleet files, naming the bad entry', async () => {
    expect(parseAgentList('bot01:1.5, bot02:0.25,bot03', { defaultDiem: 1 })).toEqual([
      { agent: 'bot01', diem: 1.5 },
      { agent: 'bot02', diem: 0.25 },
      { agent: 'bot03', diem: 1, defaulted: true },
    ])
    expect(() => parseAgentList('bot01:lots', { defaultDiem: 1 })).toThrow(/--agents entry "bot01:lots" is invalid: diem/)
    expect(() => parseAgentList('bot01:-1', { defaultDiem: 1 })).toThrow(/--agents entry "bot01:-1" is invalid/)
    expect(() => parseAgentList('Bot01', { defaultDiem: 1 })).toThrow(/agent must be 1–32 lowercase/)
    expect(() => parseAgentList('bot01,bot01:2', { defaultDiem: 1 })).toThrow(/lists agent "bot01" twice/)
    expect(() => parseAgentList('a:1:2', { defaultDiem: 1 })).toThrow(/use name or name:diem/)

    const dir = await mkdtemp(join(tmpdir(), 'gondola-fleet-'))
    await writeFile(join(dir, 'fleet.csv'), 'agent,diem,period\n# comment\nbot01,1.5,epoch\nbot02,,MONTH\n\n')
    expect(await readFleetFile(join(dir, 'fleet.csv'), { defaultDiem: 0.5 })).toEqual([
      { agent: 'bot01', diem: 1.5, period: 'EPOCH' },
      { agent: 'bot02', diem: 0.5, period: 'MONTH', defaulted: true },
    ])
    await writeFile(join(dir, 'fleet.json'), JSON.stringify({ agents: [{ agent: 'bot01', diem: 2 }, { name: 'bot02' }] }))
    expect(await readFleetFile(join(dir, 'fleet.json'), { defaultDiem: 0.5 })).toEqual([
      { agent: 'bot01', diem: 2 },
      { agent: 'bot02', diem: 0.5, defaulted: true },
    ])
    await writeFile(join(dir, 'bad.csv'), 'agent,diem\nbot01,1\nbot 2,x\n')
    await expect(readFleetFile(join(dir, 'bad.csv'), { defaultDiem: 1 })).rejects.toMatchObject({
      name: 'FleetSpecError',
      exitCode: 3,
      shortMessage: expect.stringMatching(/bad\.csv line 3, column 1: agent must be/),
    })
    await writeFile(join(dir, 'noheader.csv'), 'bot01,1\n')
    await expect(readFleetFile(join(dir, 'noheader.csv'), { defaultDiem: 1 })).rejects.toMatchObject({
      shortMessage: expect.stringMatching(/needs a header line/),
    })
    await writeFile(join(dir, 'extra.json'), JSON.stringify([{ agent: 'bot01', diem: 1, budget: 9 }]))
    await expect(readFleetFile(join(dir, 'extra.json'), { defaultDiem: 1 })).rejects.toMatchObject({
      shortMessage: expect.stringMatching(/extra\.json entry 1: /),
    })
  })

  it('reads CSV as CSV (csv-parse): a BOM, CRLF, quoted cells, a quoted comma, doubled quotes, # comments, a name column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-fleet-csv-'))
    const file = join(dir, 'excel.csv')
    // What a spreadsheet saves: a UTF-8 BOM, CRLF, every cell quoted; a comment line and a blank line between rows.
    await writeFile(file, '\uFEFF"agent","diem","period"\r\n# the night shift\r\n"bot01","1.5","epoch"\r\n\r\n"bot02","","MONTH"\r\n')
    expect(await readFleetFile(file, { defaultDiem: 0.5 })).toEqual([
      { agent: 'bot01', diem: 1.5, period: 'EPOCH' },
      { agent: 'bot02', diem: 0.5, period: 'MONTH', defaulted: true },
    ])
    // A comma inside quotes is part of the cell (the hand reader split it and read "1" as the limit and "5" as the period).
    await writeFile(file, 'agent,diem\nbot01,"1,5"\n')
    await expect(readFleetFile(file, { defaultDiem: 1 })).rejects.toMatchObject({
      exitCode: 3,
      shortMessage: `${file} line 2, column 2: diem must be a positive number of Diem per period, e.g. 1.5; got "1,5".`,
    })
    await writeFile(file, 'name,diem\n"bot""01",1\n')
    await expect(readFleetFile(file, { defaultDiem: 1 })).rejects.toMatchObject({
      exitCode: 3,
      shortMessage: expect.stringContaining('line 2, column 1: agent must be 1–32 lowercase letters, digits and dashes; got "bot\\"01"'),
    })
    await writeFile(file, 'agent,diem\nbot01,"1\n')
    await expect(readFleetFile(file, { defaultDiem: 1 })).rejects.toMatchObject({
      exitCode: 3,
      code: 'FLEET_FILE',
      shortMessage: expect.stringMatching(/excel\.csv line 2: not valid CSV \(Quote Not Closed/),
    })
    await writeFile(file, 'agent,diem\nbot01,1,5\n')
    await expect(readFleetFile(file, { defaultDiem: 1 })).rejects.toMatchObject({
      exitCode: 3,
      shortMessage: expect.stringMatching(/line 2, column 3: the row has 3 cells and the header 2/),
      metaMessages: [expect.stringMatching(/Quote a cell/)],
    })
  })

  it('errors are one class per source: a file is exit 3 naming file, line and column; a flag is exit 2 naming the flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-fleet-err-'))
    const file = join(dir, 'fleet.csv')
    const rule = 'diem must be a positive number of Diem per period, e.g. 1.5; got -1.'
    await writeFile(file, 'agent,diem\nbot01,-1\n')
    await expect(readFleetFile(file, { defaultDiem: 1 })).rejects.toMatchObject({ exitCode: 3, shortMessage: `${file} line 2, column 2: ${rule}` })
    expect(() => parseAgentList('bot01:-1', { defaultDiem: 1 })).toThrow(
      expect.objectContaining({ exitCode: 2, shortMessage: `--agents entry "bot01:-1" is invalid: ${rule}` }),
    )
    // A duplicate in a file is a file error (it was exit 2, unlike every other fleet-file error).
    await writeFile(file, 'agent,diem\nbot01,1\nbot02,1\nbot01,2\n')
    await expect(readFleetFile(file, { defaultDiem: 1 })).rejects.toMatchObject({
      exitCode: 3,
      code: 'FLEET_DUPLICATE',
      shortMessage: `${file} line 4, column 1: agent "bot01" is already listed (line 2, column 1).`,
    })
    expect(() => parseAgentList('bot01,bot01:2', { defaultDiem: 1 })).toThrow(expect.objectContaining({ exitCode: 2, code: 'FLEET_DUPLICATE' }))
    await writeFile(join(dir, 'fleet.json'), JSON.stringify([{ agent: 'bot01' }, { agent: 'bot01' }]))
    await expect(readFleetFile(join(dir, 'fleet.json'), { defaultDiem: 1 })).rejects.toMatchObject({
      exitCode: 3,
      shortMessage: expect.stringMatching(/fleet\.json entry 2: agent "bot01" is already listed \(entry 1\)/),
    })
  })
})

describe('fleet keys (anvil + emulator)', () => {
  it('per-agent limits in one provision; a rerun keeps every key; a new limit rotates (mint new, then revoke old); ensureAgentKey is idempotent', async () => {
    const d = devnet()
    const baseURL = emulator().baseURL
    const { wallet, store, provisioned } = await provisionedWallet(d, baseURL, { agents: [] })
    expect(provisioned.agents).toEqual([])
    const fleet = [{ agent: 'bot01', diem: 1.5 }, { agent: 'bot02', diem: 0.25 }, 'bot03']
    const first = await provision({ wallet, baseURL, store, agents: fleet, stakeSvvv: parseEther('5'), diemPerAgent: 0.75 })
    expect(first.agents.map((a) => [a.agent, a.status, a.key?.consumptionLimit.diem])).toEqual([
      ['bot01', 'minted', 1.5],
      ['bot02', 'minted', 0.25],
      ['bot03', 'minted', 0.75],
    ])

    const admin = createVeniceClient({ baseURL, apiKey: store.reveal(store.keys('ADMIN')[0]!.id) })
    const onServer = async () => (await admin.listApiKeys()).filter((k) => k.apiKeyType === 'INFERENCE')
    expect(await onServer()).toHaveLength(3)

    const again = await provision({ wallet, baseURL, store, agents: fleet, stakeSvvv: parseEther('5'), diemPerAgent: 0.75 })
    expect(again.agents.map((a) => a.status)).toEqual(['kept', 'kept', 'kept'])
    expect(await onServer()).toHaveLength(3)

    // bot02's limit changes: the new key is minted and stored, then the old one revoked on Venice and forgotten.
    const plan = await provision({ wallet, baseURL, store, agents: [{ agent: 'bot02', diem: 0.5 }], stakeSvvv: parseEther('5'), dryRun: true })
    expect(plan.agents).toMatchObject([{ agent: 'bot02', status: 'planned', revoked: [first.agents[1]!.key!.id] }])
    expect(plan.plannedRequests.at(-1)).toMatch(/^DELETE \/api_keys\?id=.* \(bot02's key with the old limit/)
    const changed = await provision({ wallet, baseURL, store, agents: [{ agent: 'bot02', diem: 0.5 }], stakeSvvv: parseEther('5') })
    expect(changed.agents).toMatchObject([{ agent: 'bot02', status: 'rotated', revoked: [first.agents[1]!.key!.id], key: { consumptionLimit: { diem: 0.5 } } }])
    const server = await onServer()
    expect(server.map((k) => k.id)).not.toContain(first.agents[1]!.key!.id)
    expect(server).toHaveLength(3)
    expect(
      store
        .keys('INFERENCE')
        .filter((k) => k.agent === 'bot02')
        .map((k) => k.consumptionLimit.diem),
    ).toEqual([0.5])

    // `keys mint --agent` semantics: the same limits keep the key; nothing is minted.
    const clock = createApiClock({ baseURL })
    const same = await ensureAgentKey({
      signer: wallet.signer,
      baseURL,
      store,
      wallet: wallet.address,
      fetch: clock.fetch,
      now: clock.now,
      sleep: clock.sleep,
      spec: { agent: 'bot01', consumptionLimit: { diem: 1.5 } },
    })
    expect(same).toMatchObject({ status: 'kept', key: { id: first.agents[0]!.key!.id }, revoked: [] })
    expect(await onServer()).toHaveLength(3)
  })

  it('the API clock follows the server: a wait for the key-creation window ends when the emulator clock moves on', async () => {
    const baseURL = emulator().baseURL
    const clock = createApiClock({ baseURL, pollMs: 200 })
    await clock.fetch(`${baseURL}/models`)
    expect(Math.abs(clock.now() - emulator().now())).toBeLessThan(1_500)
    const waiting = clock.sleep(60_000)
    emulator().advance(61_000)
    await waiting // returns after a poll sees the server's clock past the target, not after a real minute
    expect(clock.now()).toBeGreaterThanOrEqual(emulator().now() - 1_500)
  })
})

describe('state dirs', () => {
  it('DEVNET_RPC_URL alone finds the devnet: the address book comes from the chain; a chain without one says so', async () => {
    const d = devnet()
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-anywhere-'))
    const chain = await resolveChain({ GONDOLA_NETWORK: 'devnet', GONDOLA_STATE_DIR: stateDir, BASE_RPC_URL: undefined, DEVNET_RPC_URL: d.rpcUrl })
    expect(chain.addresses).toEqual(d.addresses)
    expect(chain.chain.id).toBe(d.chainId)
    await expect(
      resolveChain({ GONDOLA_NETWORK: 'devnet', GONDOLA_STATE_DIR: stateDir, BASE_RPC_URL: undefined, DEVNET_RPC_URL: undefined }),
    ).rejects.toMatchObject({ code: 'DEVNET_NOT_RUNNING' })
    await d.testClient.setStorageAt({ address: DEVNET_REGISTRY_ADDRESS, index: `0x${'0'.repeat(64)}`, value: `0x${'0'.repeat(64)}` })
    await expect(
      resolveChain({ GONDOLA_NETWORK: 'devnet', GONDOLA_STATE_DIR: stateDir, BASE_RPC_URL: undefined, DEVNET_RPC_URL: d.rpcUrl }),
    ).rejects.toMatchObject({ code: 'DEVNET_NO_REGISTRY', shortMessage: expect.stringContaining('has no Gondola address book') })
  })
})
