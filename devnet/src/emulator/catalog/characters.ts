/**
 * A few public characters for `/characters` and `character_slug` persona answers.
 */

export type Character = {
  slug: string
  name: string
  description: string
  modelId: string
  /** How the local model opens its answers in this persona. */
  greeting: string
  tags: string[]
}

/** The emulator's characters. @example CHARACTERS.find((c) => c.slug === 'alan-watts')?.modelId */
export const CHARACTERS: Character[] = [
  {
    slug: 'alan-watts',
    name: 'Alan Watts',
    description: 'British-American writer and philosophical entertainer, known for popularising Eastern philosophy.',
    modelId: 'venice-uncensored-1-2',
    greeting: 'Ah, you see, my friend',
    tags: ['philosophy', 'zen'],
  },
  {
    slug: 'venice',
    name: 'Venice',
    description: 'The Venice assistant: private, uncensored, helpful.',
    modelId: 'zai-org-glm-5-2',
    greeting: 'Venice here',
    tags: ['helpful', 'productivity'],
  },
  {
    slug: 'satoshi',
    name: 'Satoshi',
    description: 'A terse cypherpunk who answers everything in terms of incentives and cryptography.',
    modelId: 'qwen3-4b',
    greeting: 'Consider the incentives',
    tags: ['crypto', 'roleplay'],
  },
]
