import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { CharacterImportError, composePostSystem, composeReplySystem, importCharacter, readCharacterFile } from '../src/character/index.js'

const FILE = 'test/fixtures/eliza-classic.character.json'

describe('ElizaOS character import', () => {
  it('takes a classic character whole and reports what is used, mapped and ignored; secrets never surface', async () => {
    const { character, report } = await readCharacterFile(FILE)
    expect(character.bio).toHaveLength(3)
    expect(character.lore).toHaveLength(3)
    expect(character.knowledge).toEqual(['The Rialto bridge was wooden until 1591.'])
    expect(character.messageExamples[0]).toEqual([
      { speaker: 'user', text: 'Where should I eat in Venice?' },
      { speaker: 'character', text: 'Away from San Marco, where the "fresh" fish swam yesterday.' },
    ])
    expect(character.style.post).toEqual(['one observation per post', 'end with a small twist'])
    expect(character.model).toBe('qwen3-4b')
    expect(character.voice).toBe('en_US-male-medium')
    expect(report.used).toEqual(
      expect.arrayContaining(['bio', 'lore', 'knowledge', 'messageExamples', 'postExamples', 'topics', 'adjectives', 'style', 'system']),
    )
    expect(report.mapped).toEqual([expect.stringContaining('settings.model'), expect.stringContaining('settings.voice')])
    expect(report.ignored.join('\n')).toMatch(/secrets \(1 entry/)
    expect(report.ignored.join('\n')).toMatch(/clients/)
    expect(report.ignored.join('\n')).toMatch(/modelProvider "openai"/)
    expect(report.ignored.join('\n')).toMatch(/people \(unknown field\)/)
    expect(report.warnings).toEqual([
      expect.stringMatching(/knowledge file knowledge\/silk-road\.md/),
      expect.stringMatching(/knowledge directory knowledge\/ports/),
      // No catalogue given: the model is kept, and the report says it was not checked.
      expect.stringMatching(/model "qwen3-4b" was not checked/),
    ])
    const everything = JSON.stringify({ character, report, post: composePostSystem(character, { seed: 1 }), reply: composeReplySystem(character, { seed: 1 }) })
    expect(everything).not.toContain('sk-test-should-never-appear')
  })

  it('accepts the current format (string bio, {{name1}} examples) and rejects a file without a name, naming it', async () => {
    const current = {
      name: 'Eliza',
      bio: 'A helpful assistant.',
      messageExamples: [
        [
          { name: '{{name1}}', content: { text: 'hi' } },
          { name: 'Eliza', content: { text: 'hello!' } },
        ],
      ],
      plugins: ['@elizaos/plugin-sql'],
    }
    const { character, report } = importCharacter(current, 'eliza.json')
    expect(character.bio).toEqual(['A helpful assistant.'])
    expect(character.messageExamples[0]!.map((t) => t.speaker)).toEqual(['user', 'character'])
    expect(report.ignored).toContain('plugins (not used by Gondola: tools are Gondola tools)')
    expect(() => importCharacter({ bio: ['x'] }, 'bad.json')).toThrow(CharacterImportError)
    expect(() => importCharacter({ bio: ['x'] }, 'bad.json')).toThrow(/bad\.json: name/)
  })

  it('composes post and reply prompts like Eliza: seeded samples, post style for posts, chat style for replies', async () => {
    const { character } = importCharacter(JSON.parse(await readFile(FILE, 'utf8')))
    const post = composePostSystem(character, { seed: 42 })
    expect(composePostSystem(character, { seed: 42 })).toBe(post)
    expect(post).toContain('one observation per post')
    expect(post).not.toContain('answer like a seasoned guide')
    expect(post).toMatch(/interested in (trade routes|Venetian history|travel)/)
    const reply = composeReplySystem(character, { seed: 42 })
    expect(reply).toContain('answer like a seasoned guide')
    expect(reply).not.toContain('end with a small twist')
    expect(reply).toMatch(/Them: /)
    const seeds = new Set(Array.from({ length: 8 }, (_, i) => composePostSystem(character, { seed: i })))
    expect(seeds.size).toBeGreaterThan(1)
  })
})
