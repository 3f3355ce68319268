// The advisory check for `--env` keys that look like they hold a secret: split a key into words
// (on `_`, `-`, `.` and case changes) and look for a sensitive word. Shared by the agent and the CLI.

const SENSITIVE_WORDS = new Set([
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'KEY',
  'APIKEY',
  'AUTH',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'PRIVATE',
  'PASSPHRASE',
])

/** `AWS_SECRET_ACCESS_KEY` -> AWS SECRET ACCESS KEY; `dbPassword` -> DB PASSWORD; `HTTPProxy` -> HTTP PROXY. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((word) => word.toUpperCase())
}

export function looksSensitive(key: string): boolean {
  return keyWords(key).some((word) => SENSITIVE_WORDS.has(word))
}

export function sensitiveWarning(key: string): string {
  return `warning: --env ${key} looks like a secret and will be visible in \`hush status\`: store it with \`hush secrets new NAME --from-stdin ${key}\` and pass --secret NAME.`
}
