// The docker environment's digest (config/docker.ts): what decides the engine changes it, nothing else does.
import {describe, expect, it} from 'vitest'
import {dockerEnvironmentTag} from '../../../src/config/docker.js'

const BASE = {HOME: '/home/ada', PATH: '/usr/bin:/bin', DOCKER_HOST: 'unix:///var/run/docker.sock'}

describe('dockerEnvironmentTag', () => {
  it('is the same for the same docker variables, whatever else the environment holds or in what order', () => {
    const tag = dockerEnvironmentTag(BASE)
    expect(dockerEnvironmentTag({DOCKER_HOST: BASE.DOCKER_HOST, PATH: BASE.PATH, HOME: BASE.HOME})).toBe(tag)
    expect(dockerEnvironmentTag({...BASE, TERM: 'xterm', HUSH_HOME: '/elsewhere', NODE_OPTIONS: '--x'})).toBe(tag)
  })

  it.each([
    ['DOCKER_HOST', {...BASE, DOCKER_HOST: 'tcp://gpu:2376'}],
    ['DOCKER_CONTEXT', {...BASE, DOCKER_CONTEXT: 'gpu'}],
    ['DOCKER_CONFIG', {...BASE, DOCKER_CONFIG: '/tmp/docker'}],
    ['DOCKER_TLS_VERIFY', {...BASE, DOCKER_TLS_VERIFY: '1'}],
    ['HOME (~/.docker)', {...BASE, HOME: '/home/bob'}],
    ['PATH (which docker)', {...BASE, PATH: '/opt/bin:/usr/bin:/bin'}],
    ['HUSH_DOCKER', {...BASE, HUSH_DOCKER: '/opt/docker'}],
    ['no DOCKER_HOST', {HOME: BASE.HOME, PATH: BASE.PATH}],
  ])('changes with %s', (_what, env) => {
    expect(dockerEnvironmentTag(env)).not.toBe(dockerEnvironmentTag(BASE))
  })

  it('tells a variable from a value that looks like two', () => {
    expect(dockerEnvironmentTag({DOCKER_A: 'x\u0000DOCKER_B=y'})).not.toBe(
      dockerEnvironmentTag({DOCKER_A: 'x', DOCKER_B: 'y'}),
    )
  })
})
