// Deployments as the agent answers them, for in-process command tests: a detail with every field,
// and a log stream of frames (what the logs route sends).
import {Readable} from 'node:stream'
import type {DeploymentDetail} from '../../src/api/contract.js'
import {type EndInfo, encodeFrame, FRAME_END, FRAME_STDERR, FRAME_STDOUT} from '../../src/api/frames.js'

/**
 * The fields of one deployment in `status --json`, sorted: exactly the spec's shape (`target` is
 * local or swarm; a Swarm service adds its own fields, docs/swarm.md).
 */
export const STATUS_JSON_FIELDS = [
  'containerId',
  'createdAt',
  'env',
  'exitCode',
  'id',
  'image',
  'name',
  'revision',
  'secrets',
  'stale',
  'state',
  'target',
]

/** A local deployment d-1 (job1, running, one secret hf), with OVERRIDES. */
export function deploymentDetail(overrides: Partial<DeploymentDetail> = {}): DeploymentDetail {
  return {
    id: 'd-1',
    name: 'job1',
    image: 'hush-test/busybox',
    state: 'running',
    revision: 1,
    containerId: 'c0ffee000000aaaabbbbcccc',
    exitCode: null,
    stale: false,
    env: {MODEL: 'gpt-4o'},
    secrets: [{name: 'hf', version: 3, keys: ['HF_TOKEN'], env: ['HF_TOKEN'], files: []}],
    createdAt: '2026-01-01T00:00:00.000Z',
    target: 'local',
    command: ['sh', '-c', 'echo hi'],
    refs: ['hf'],
    secretFiles: [],
    options: {},
    context: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

/** A log stream: output chunks in order, then (when given) the end frame of a followed stream. */
export function logFrames(chunks: Array<{stream: 'stdout' | 'stderr'; text: string}>, end?: EndInfo): Readable {
  return Readable.from([
    ...chunks.map((chunk) =>
      encodeFrame(chunk.stream === 'stdout' ? FRAME_STDOUT : FRAME_STDERR, Buffer.from(chunk.text)),
    ),
    ...(end ? [encodeFrame(FRAME_END, Buffer.from(JSON.stringify(end)))] : []),
  ])
}
