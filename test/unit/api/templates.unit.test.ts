// Pure parts of secret files, templates and the value-aware warning: template parsing (escapes,
// spaces, literal braces), the warning table for --env values, and the bind-mount argument.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {credentialKind, envWarning} from '../../../src/api/rules/sensitive.js'
import {isTemplate, literalText, needsRendering, parseTemplate, templateRefs} from '../../../src/api/rules/templates.js'
import {mountArg} from '../../../src/daemon/docker/containers.js'

describe('--env templates', () => {
  it('finds {{NAME:KEY}} references, with spaces inside the braces', () => {
    expect(parseTemplate('postgres://app:{{db:PASSWORD}}@db/app')).toEqual([
      'postgres://app:',
      {name: 'db', key: 'PASSWORD'},
      '@db/app',
    ])
    expect(templateRefs('{{ db : PASSWORD }}-{{hf.prod:HF_TOKEN}}')).toEqual([
      {name: 'db', key: 'PASSWORD'},
      {name: 'hf.prod', key: 'HF_TOKEN'},
    ])
    expect(parseTemplate('{{a:B}}{{a:B}}')).toEqual([
      {name: 'a', key: 'B'},
      {name: 'a', key: 'B'},
    ])
  })

  it('leaves other braces literal and reads {{{{ as a literal {{', () => {
    for (const text of ['{{.Name}}', '{{ foo }}', '{{db}}', '{{db:}}', '{{:KEY}}', '{{db:1KEY}}', '{', '}}', '']) {
      expect(isTemplate(text), text).toBe(false)
      expect(literalText(text), text).toBe(text)
    }
    expect(parseTemplate('{{{{db:PASSWORD}}')).toEqual(['{{db:PASSWORD}}'])
    expect(isTemplate('{{{{db:PASSWORD}}')).toBe(false)
    expect(parseTemplate('{"pw":"{{db:PW}}"}')).toEqual(['{"pw":"', {name: 'db', key: 'PW'}, '"}'])
    expect(literalText('a{{{{b{{db:PW}}c')).toBe('a{{bc')
  })

  it('gives the same answer however often it is asked (no regex state)', () => {
    const text = 'a {{db:PW}} b'
    for (let i = 0; i < 3; i++) {
      expect(needsRendering(text)).toBe(true)
      expect(templateRefs(text)).toEqual([{name: 'db', key: 'PW'}])
      expect(isTemplate(text)).toBe(true)
    }
    expect(needsRendering('{{{{')).toBe(true)
    expect(needsRendering('{{x}}')).toBe(false)
  })

  it('text without {{ is its own literal (property)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !text.includes('{{')),
        (text) => {
          expect(isTemplate(text)).toBe(false)
          expect(parseTemplate(text).join('')).toBe(text)
        },
      ),
    )
  })
})

describe('credential-looking --env values', () => {
  const long = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0'
  const warns: [string, string][] = [
    ['Hugging Face token', `hf_${long.slice(0, 34)}`],
    ['OpenAI key', `sk-${long}`],
    ['OpenAI project key', `sk-proj-${long}`],
    ['Anthropic key', `sk-ant-api03-${long}`],
    ['GitHub classic token', `ghp_${long.slice(0, 36)}`],
    ['GitHub OAuth token', `gho_${long.slice(0, 36)}`],
    ['GitHub fine-grained token', `github_pat_11ABCDEFG0_${long}`],
    ['Slack bot token', 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['Slack user token', 'xoxp-1234567890-1234567890123-abcdef'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['AWS temporary key id', 'ASIAY34FZKBOKMUTVV7A'],
    ['GitLab token', 'glpat-xxxxxxxxxxxxxxxxxxxx'],
    ['token after a word', `Bearer hf_${long.slice(0, 34)}`],
    ['URL with a password', 'postgres://app:hunter2@db:5432/app'],
    ['URL with an empty user', 'redis://:s3cret@cache:6379/0'],
    ['https URL with credentials', 'https://user:pa55@example.com/x'],
    ['template with a literal password elsewhere', 'postgres://app:hunter2@{{db:HOST}}/app'],
  ]
  const quiet: [string, string][] = [
    ['sk alone', 'sk'],
    ['sk- alone', 'sk-'],
    ['hf_ alone', 'hf_'],
    ['short hf_', 'hf_abc'],
    ['short AKIA', 'AKIAshort'],
    ['AKIA too long', 'AKIAIOSFODNN7EXAMPLEXX'],
    ['URL without password', 'https://example.com/path?q=1'],
    ['URL with a user only', 'ssh://git@github.com/org/repo'],
    ['URL with a port', 'http://localhost:8080/api'],
    ['host:port', 'db:5432'],
    ['a word ending in sk-', `task-${long}`],
    ['template password', 'postgres://app:{{db:PASSWORD}}@db/app'],
    ['template with spaces', 'postgres://app:{{ db : PASSWORD }}@db/app'],
    ['plain text', 'gpt-4o'],
    ['a path', '/data/models'],
    ['empty', ''],
  ]
  it.each(warns)('%s warns', (_, value) => {
    expect(credentialKind(value)).toBeDefined()
    const line = envWarning('INNOCENT', value)
    expect(line).toMatch(/^warning: the value of --env INNOCENT /)
    expect(line).toContain('hush secrets new')
    expect(line).not.toContain(value)
  })
  it.each(quiet)('%s does not warn', (_, value) => {
    expect(credentialKind(value)).toBeUndefined()
    expect(envWarning('INNOCENT', value)).toBeUndefined()
  })

  it('a sensitive key warns once; with a template value it does not warn', () => {
    expect(envWarning('DB_PASSWORD', 'hunter2')).toMatch(/^warning: --env DB_PASSWORD looks like a secret/)
    expect(envWarning('DB_PASSWORD', `sk-${long}`)).toMatch(/^warning: --env DB_PASSWORD looks like a secret/)
    expect(envWarning('DB_PASSWORD', '{{db:PASSWORD}}')).toBeUndefined()
    expect(envWarning('DATABASE_URL', 'postgres://app:{{db:PASSWORD}}@db/app')).toBeUndefined()
    expect(envWarning('KEYBOARD', 'us')).toBeUndefined()
  })

  it('never echoes any part of the value (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{30,40}$/), (tail) => {
        for (const value of [`ghp_${tail}`, `sk-${tail}`, `https://u:${tail}@h`]) {
          const line = envWarning('X', value)
          expect(line).toBeDefined()
          expect(line).not.toContain(tail)
        }
      }),
    )
  })
})

describe('secret file mounts', () => {
  it('binds read-only, quoting a path with a comma the way docker parses --mount', () => {
    expect(mountArg({source: '/run/user/1/hush-1/x/files/d-1-r1/KEY', target: '/run/secrets/KEY'})).toBe(
      '--mount=type=bind,source=/run/user/1/hush-1/x/files/d-1-r1/KEY,target=/run/secrets/KEY,readonly',
    )
    expect(mountArg({source: '/tmp/a,b"c/KEY', target: '/run/secrets/KEY'})).toBe(
      '--mount=type=bind,"source=/tmp/a,b""c/KEY",target=/run/secrets/KEY,readonly',
    )
  })
})
