// Types of test/support/swarm-engine.js (plain JavaScript, shared with the benchmarks).
export interface SwarmInfo {
  /** docker's LocalNodeState: inactive, pending, active, error, locked. */
  state: string
  nodeId: string
  /** The address the node advertises. */
  nodeAddr: string
  /** True on a manager. */
  manager: boolean
}

/** The swarm state of the engine at `host` (the test engine when undefined). */
export function swarmInfo(host?: string): Promise<SwarmInfo>

/** Makes the test engine a swarm manager when it is none; returns the teardown that leaves it as found. */
export function holdTestSwarm(): Promise<() => Promise<void>>
