// The advisory check for `--env` pairs that look like they hold a secret: a key split into words
// (on `_`, `-`, `.` and case changes) holding a sensitive word, or a value that looks like a
// credential (a known token prefix, a URL with a password). Shared by the agent and the CLI.
import {isTemplate, literalText} from './templates.js'

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

/** Known token shapes: a prefix and a plausible length, not inside a longer word. */
const TOKEN_SHAPES: RegExp[] = [
  /(?<![A-Za-z0-9_-])hf_[A-Za-z0-9]{20,}/, // Hugging Face
  /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/, // Anthropic
  /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/, // OpenAI (sk-..., sk-proj-...)
  /(?<![A-Za-z0-9_-])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}/, // GitHub
  /(?<![A-Za-z0-9_-])github_pat_[A-Za-z0-9_]{30,}/, // GitHub fine-grained
  /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/, // GitLab
  /(?<![A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,}/, // Slack
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/, // AWS access key id
  /(?<![A-Za-z0-9_-])(?:sk|rk)_live_[A-Za-z0-9]{20,}/, // Stripe
  /(?<![A-Za-z0-9_-])npm_[A-Za-z0-9]{30,}/, // npm
  /(?<![A-Za-z0-9_-])pypi-[A-Za-z0-9_-]{50,}/, // PyPI
  /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}/, // Google API key
]

/** `scheme://user:password@host` (the user may be empty, as in `redis://:password@host`). */
const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/

/** What a value looks like, when it looks like a credential. */
export function credentialKind(value: string): 'token' | 'url' | undefined {
  // A template's references are the recommended way: only its literal text is checked.
  const text = isTemplate(value) ? literalText(value) : value
  if (TOKEN_SHAPES.some((shape) => shape.test(text))) return 'token'
  if (URL_WITH_PASSWORD.test(text)) return 'url'
  return undefined
}

/** Never echoes the value: names the key and the kind only. */
export function credentialValueWarning(key: string, kind: 'token' | 'url'): string {
  const what = kind === 'token' ? 'looks like an API token' : 'is a URL with a password'
  return `warning: the value of --env ${key} ${what} and will be visible in \`hush status\`: store it with \`hush secrets new NAME --from-stdin ${key}\` and pass --secret NAME${kind === 'url' ? ', or write the password as {{NAME:KEY}} in the URL' : ''}.`
}

/**
 * The one advisory line for an `--env KEY=VALUE`, if any: a sensitive key (unless the value is a
 * template, the recommended way), else a value that looks like a credential.
 */
export function envWarning(key: string, value: string): string | undefined {
  if (looksSensitive(key) && !isTemplate(value)) return sensitiveWarning(key)
  const kind = credentialKind(value)
  return kind ? credentialValueWarning(key, kind) : undefined
}
