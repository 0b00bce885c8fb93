import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { parseAgentList } from '../src/keys/fleetSpec.js'
import { provision } from '../src/keys/provision.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

describe('a bare agent name never lowers a live key (anvil + emulator)', () => {
  it('`--agents bot06` and `--agents bot01,,bot02` keep the live keys and their limits; an explicit limit rotates and says from what', async () => {
    const baseURL = emulator().baseURL
    const { wallet, store } = await provisionedWallet(devnet(), baseURL, { agents: [] })
    const stakeSvvv = parseEther('5')
    const first = await provision({ wallet, baseURL, store, agents: parseAgentList('bot06:2,bot01:3,bot02:0.5', { defaultDiem: 1 }), stakeSvvv })
    const ids = first.agents.map((a) => a.key!.id)
    const admin = createVeniceClient({ baseURL, apiKey: store.reveal(store.keys('ADMIN')[0]!.id) })
    const live = async () =>
      (await admin.listApiKeys())
        .filter((k) => k.apiKeyType === 'INFERENCE')
        .map((k) => k.id)
        .sort()

    // What `gondola provision --agents bot06` passes: the name alone, the default limit marked as not given.
    const bare = await provision({ wallet, baseURL, store, agents: parseAgentList('bot06', { defaultDiem: 1 }), stakeSvvv })
    expect(bare.agents).toMatchObject([{ agent: 'bot06', status: 'kept', diem: 2, period: 'EPOCH', revoked: [], key: { id: ids[0] } }])
    const twoBare = await provision({ wallet, baseURL, store, agents: parseAgentList('bot01,,bot02', { defaultDiem: 1 }), stakeSvvv })
    expect(twoBare.agents.map((a) => [a.agent, a.status, a.diem, a.revoked.length])).toEqual([
      ['bot01', 'kept', 3, 0],
      ['bot02', 'kept', 0.5, 0],
    ])
    expect(await live()).toEqual([...ids].sort())

    // A bare name for an agent with no key still gets the default.
    const fresh = await provision({ wallet, baseURL, store, agents: parseAgentList('bot07', { defaultDiem: 1 }), stakeSvvv })
    expect(fresh.agents).toMatchObject([{ agent: 'bot07', status: 'minted', diem: 1 }])

    // An explicit limit (name:diem, or --diem-per-agent for bare names) rotates, and the outcome says what changed.
    const lowered = await provision({ wallet, baseURL, store, agents: parseAgentList('bot06:1', { defaultDiem: 1 }), stakeSvvv })
    expect(lowered.agents).toMatchObject([{ agent: 'bot06', status: 'rotated', diem: 1, previous: { diem: 2, period: 'EPOCH' }, revoked: [ids[0]] }])
    const byDefault = await provision({ wallet, baseURL, store, agents: parseAgentList('bot02', { defaultDiem: 0.75 }), stakeSvvv, diemPerAgent: 0.75 })
    expect(byDefault.agents).toMatchObject([{ agent: 'bot02', status: 'rotated', diem: 0.75, previous: { diem: 0.5 } }])
  }, 300_000)
})
