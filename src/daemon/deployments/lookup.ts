// Which deployment a user means: an id, or a name (docker takes names wherever it takes ids).
// A name means the live deployment of that name (there is at most one), else its latest one;
// and it is unique among live deployments: a second live one is refused, naming the first.
import {HushError} from '../../api/errors.js'
import type {DeploymentRow, DeploymentsStore} from '../store/deployments-table.js'

/** The deployment `ref` (an id or a name) names, or deployment_not_found. */
export function findDeployment(records: DeploymentsStore, ref: string): DeploymentRow {
  const byId = typeof ref === 'string' ? records.get(ref) : undefined
  if (byId) return byId
  const named = typeof ref === 'string' && ref ? records.list().filter((row) => row.name === ref) : []
  const live = named.find((row) => row.state === 'starting' || row.state === 'running')
  const found = live ?? named.at(-1)
  if (!found) {
    throw new HushError('deployment_not_found', `No deployment with id or name ${String(ref)}: see \`hush status\`.`, {
      deployment: ref,
    })
  }
  return found
}

/**
 * Names being launched right now, so two submits racing with one name cannot both pass the check
 * before either is recorded.
 */
export class LiveNames {
  private readonly claimed = new Set<string>()

  constructor(private readonly records: DeploymentsStore) {}

  /** Claims `name` for deployment `id`: refused when another live (or launching) deployment holds it. */
  claim(name: string | null, id: string): () => void {
    if (name === null) return () => undefined
    const holder = this.records.live().find((row) => row.name === name && row.id !== id)
    if (holder || this.claimed.has(name)) {
      const by = holder ? `live deployment ${holder.id}` : 'a deployment being launched'
      throw new HushError(
        'name_in_use',
        `The name ${name} is taken by ${by}: terminate it first (\`hush terminate ${name}\`) or choose another --name.`,
        holder ? {deployment: holder.id} : {},
      )
    }
    this.claimed.add(name)
    return () => this.claimed.delete(name)
  }
}
