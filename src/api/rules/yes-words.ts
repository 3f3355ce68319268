// The words that mean yes where text stands for a switch: an environment variable (HUSH_NO_WARN)
// and a query-string flag. One list for both ends.
const YES_WORDS = ['1', 'true', 'yes']

/** True when TEXT is 1, true or yes (any case); unset or anything else is no. */
export function saysYes(text: string | undefined): boolean {
  return YES_WORDS.includes((text ?? '').toLowerCase())
}
