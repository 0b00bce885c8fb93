import { describe, expect, it } from 'vitest'
import { composeReplySystem, importCharacter, readCharacterFile, speakersOf } from '../src/character/index.js'
import { fetchModelCatalog } from '../src/cli/modelCatalog.js'
import { useEmulator } from './helpers/useEmulator.js'

// Fixtures with the shapes of real ElizaOS files (test/fixtures/characters/README.md names the files they mirror).
const dir = 'test/fixtures/characters'
const emulator = useEmulator()

describe('character files as real users bring them (issue #28)', () => {
  it('human/assistant speakers: the assistant is the character, in the reply prompt too', async () => {
    const { character, report } = await readCharacterFile(`${dir}/assistant-speakers.json`)
    expect(character.messageExamples.map((c) => c.map((t) => t.speaker))).toEqual([
      ['user', 'character'],
      ['user', 'character'],
    ])
    const reply = composeReplySystem(character, { seed: 3 })
    expect(reply).toContain('Ada Forge: ')
    expect(reply).not.toMatch(/Them: (That we ship|Build something)/)
    expect(report.ignored).toContain('templates (not used: Gondola composes its own post and reply prompts from bio, lore, knowledge, style and examples)')
    expect(report.ignored).toEqual(expect.arrayContaining(['settings.temperature (not used)', 'settings.responseLength (not used)']))
    expect(report.ignored.join('\n')).not.toMatch(/templates \(unknown field\)/)
  })

  it('{{agentName}}, {{name1}} and the username are placeholders real files use', async () => {
    const { character } = await readCharacterFile(`${dir}/agent-placeholder.character.json`)
    expect(character.messageExamples.map((c) => c.map((t) => t.speaker))).toEqual([
      ['user', 'character'],
      ['user', 'character'],
    ])
    expect(speakersOf(['alice', 'bob', 'alice'], { name: 'Zed' })).toEqual({ speakers: ['user', 'character', 'user'], guessed: true })
  })

  it('messageExamples is reported as used only when it holds a conversation', () => {
    const { report } = importCharacter({ name: 'Empty', bio: 'x', messageExamples: [] }, 'empty.json')
    expect(report.used).not.toContain('messageExamples')
    expect(importCharacter({ name: 'Blank', messageExamples: [[{ user: '{{user1}}', content: { text: '' } }]] }, 'b.json').report.used).not.toContain(
      'messageExamples',
    )
  })

  it('a starter file with a string bio, knowledge topics, bare-string examples and nested posts is accepted whole', async () => {
    const { character, report } = await readCharacterFile(`${dir}/starter-quirks.json`)
    expect(character.bio).toHaveLength(1)
    expect(character.knowledge).toEqual([
      'Glassmaking: Soda-lime glass melts near 1,000 °C.',
      'Glassmaking: Cobalt gives the deepest blue.',
      'Murano: The furnaces moved to Murano in 1291.',
    ])
    expect(character.messageExamples[0]).toEqual([
      { speaker: 'user', text: 'What makes glass blue?' },
      { speaker: 'character', text: 'Cobalt, a patient hand, and a furnace that does not sulk.' },
    ])
    expect(character.postExamples).toEqual(['Blue is a promise the furnace keeps once in ten tries.', 'Today the glass argued back. It won.'])
    expect(report.mapped.join('\n')).toMatch(/knowledge \(an object of 2 topics\) → 3 inline facts/)
    expect(report.ignored).toContain('Famous Glassmakers (unknown field)')
    expect(JSON.stringify({ character, report })).not.toContain('starter-secret-should-never-appear')
  })

  it('every problem of a broken file is reported at once, each naming its field', () => {
    const broken = { name: 'X', bio: [1, 2], knowledge: 7, messageExamples: [[{ user: 'a', content: 5 }]], postExamples: { a: 1 } }
    let message = ''
    try {
      importCharacter(broken, 'broken.json')
    } catch (e) {
      message = (e as Error).message
    }
    for (const field of ['bio', 'knowledge', 'messageExamples.0.0', 'postExamples']) expect(message).toContain(field)
  })

  it("a model from another provider is checked against the emulator's /models and mapped to the default trait, with a warning", async () => {
    const models = await fetchModelCatalog(emulator().baseURL)
    expect(models?.textModels).toContain('qwen3-4b')
    const foreign = await readCharacterFile(`${dir}/foreign-model.character.json`, { models })
    expect(foreign.character.model).toBe('default')
    expect(foreign.report.warnings.join('\n')).toMatch(
      /model "claude-3-5-sonnet-20241022" is not a Venice text model: the character runs on the "default" trait/,
    )
    expect(foreign.report.ignored.join('\n')).toMatch(/imageModelProvider \(unknown field\)/)
    expect(JSON.stringify(foreign)).not.toContain('hb-secret-should-never-appear')
    const starter = await readCharacterFile(`${dir}/starter-quirks.json`, { models })
    expect(starter.character.model).toBe('default')
    const venice = await readCharacterFile(`${dir}/agent-placeholder.character.json`, { models })
    expect(venice.character.model).toBe('qwen3-4b')
    expect(venice.report.warnings).toEqual([])
    expect(venice.report.mapped).toContain('settings.model → Venice text model "qwen3-4b"')
    // Unreachable API: kept, and said to be unchecked.
    const offline = await readCharacterFile(`${dir}/foreign-model.character.json`, { models: await fetchModelCatalog('http://127.0.0.1:9/api/v1') })
    expect(offline.character.model).toBe('claude-3-5-sonnet-20241022')
    expect(offline.report.warnings.join('\n')).toMatch(/not checked/)
  })

  it('the DKG-shaped file keeps {{user1}} and its own name apart', async () => {
    const { character, report } = await readCharacterFile(`${dir}/dkg.character.json`)
    expect(character.messageExamples[0]!.map((t) => t.speaker)).toEqual(['user', 'character'])
    expect(report.ignored.join('\n')).toMatch(/modelProvider "openai"/)
    expect(report.ignored.join('\n')).not.toMatch(/secrets \(/)
  })
})
