import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Every test file gets its own per-user data dir (wallet journals, locks, daily spend) — never the real $HOME.
// Child processes (CLI, tsx scripts) inherit it through the environment.
process.env.GONDOLA_DATA_DIR = mkdtempSync(join(tmpdir(), 'gondola-data-'))
