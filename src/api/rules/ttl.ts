// How long the kernel keyring keeps an unlocked store's key: one parser for `--ttl`, the
// `unsealTtl` preference and the agent's routes.

/** Seconds; 0 = until reboot; 'off' = not kept at all (the key lives only in the agent). */
export type UnlockTtl = number | 'off'

const UNITS: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86_400, w: 604_800}
/** The kernel keeps a key's timeout in a time64_t: anything longer than this is "until reboot" in practice. */
const MAX_TTL_SECONDS = 10 * 365 * 86_400

export const TTL_HELP = 'a duration such as 30m, 12h, 1h30m or 7d; `boot` (until reboot) or `off` (not kept)'

/** Parses `12h`, `90m`, `1h30m`, `boot`, `off`; undefined for anything else. */
export function parseTtl(text: string): UnlockTtl | undefined {
  const value = text.trim().toLowerCase()
  if (value === 'boot') return 0
  if (value === 'off') return 'off'
  if (!/^(\d{1,9}[smhdw])+$/.test(value)) return undefined
  let seconds = 0
  for (const [, count, unit] of value.matchAll(/(\d+)([smhdw])/g)) seconds += Number(count) * UNITS[unit]
  if (seconds <= 0 || seconds > MAX_TTL_SECONDS) return undefined
  return seconds
}
