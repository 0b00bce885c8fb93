/**
 * The precision every surface prints status figures at (6 decimals: a millionth of a Diem, a few seconds of
 * runway). Rounded once, here, so the CLI, the agent's tools, MCP, the dashboard and metrics print the same digits.
 */

/** Decimal places of every status figure. */
export const FIGURE_DECIMALS = 6

/** One hour in ms. */
export const HOUR_MS = 3_600_000

/**
 * How far back spend counts toward the burn rate by default (24 h): `gondola status --window`, the dashboard, MCP
 * and every balance monitor use it unless told otherwise.
 */
export const DEFAULT_BURN_WINDOW_MS = 24 * HOUR_MS

/**
 * Rounds a figure to the printed precision.
 *
 * @example
 * ```ts
 * roundFigure(0.49851234567) // 0.498512
 * ```
 */
export function roundFigure(n: number): number {
  return Math.round(n * 10 ** FIGURE_DECIMALS) / 10 ** FIGURE_DECIMALS
}
