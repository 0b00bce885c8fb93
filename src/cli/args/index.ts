/** Strict argv checking for every command (unknown/repeated flags are usage errors), with "did you mean" hints. */
export { checkArgv, type CheckedArgv } from './checkArgv.js'
export { closestName, editDistance, normaliseName } from './suggest.js'
