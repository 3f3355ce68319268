// The sensitive-key words: which --env keys look like they hold a secret (the advisory warning).
import {describe, expect, it} from 'vitest'
import {looksSensitive} from '../../../src/api/rules/sensitive.js'

describe('sensitive --env keys', () => {
  const warns = [
    'HF_TOKEN',
    'API_KEY',
    'dbPassword',
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'OPENAI_API_KEY',
    'my-secret',
    'db.passwd',
    'APIKEY',
    'AuthHeader',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'SSH_PRIVATE_KEY',
    'privateKey',
    'Credential',
  ]
  const quiet = [
    'KEYBOARD',
    'MONKEY',
    'BATCH_SIZE',
    'HF_HOME',
    'MODEL',
    'AUTHOR',
    'TOKENIZER_PATH',
    'KEYNOTE',
    'PATH',
    'LOG_LEVEL',
  ]
  it.each(warns)('%s warns', (key) => expect(looksSensitive(key)).toBe(true))
  it.each(quiet)('%s does not warn', (key) => expect(looksSensitive(key)).toBe(false))
})
