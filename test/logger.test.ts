import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/util/logger.js'
import { readEnv } from '../src/config/env.js'

describe('createLogger', () => {
  it('writes at or above its level only, and redacts key-shaped strings', () => {
    const lines: string[] = []
    const log = createLogger(readEnv({ GONDOLA_LOG_LEVEL: 'warn' }).GONDOLA_LOG_LEVEL, (l) => lines.push(l))
    log.debug('hidden')
    log.info('hidden too')
    log.warn('retrying', { status: 503, auth: 'Bearer abcdefghijklmnop' })
    log.error('failed with vk_0123456789abcdef')
    expect(lines).toEqual(['warn  retrying {"status":503,"auth":"Bearer [redacted]"}\n', 'error failed with vk_[redacted]\n'])
  })

  it('is quiet when silent', () => {
    const lines: string[] = []
    createLogger('silent', (l) => lines.push(l)).error('nothing')
    expect(lines).toEqual([])
  })
})
