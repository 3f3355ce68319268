// Sends a change of values to the agent: collect and check them, seal them to the agent's key,
// call the route, wipe the plaintext. Retries once if the agent restarted in between (new key).
import {routes, type SealedValue} from '../api/contract.js'
import {HushError} from '../api/errors.js'
import type {Connection} from '../client/connect.js'
import {collectValues, sealValues, type ValueSources, wipeValues} from './values.js'

export async function withSealedValues<T>(
  connect: () => Promise<Connection>,
  sources: ValueSources,
  send: (connection: Connection, sealed: Record<string, SealedValue>) => Promise<T>,
): Promise<T> {
  const values = await collectValues(sources)
  try {
    const connection = await connect()
    try {
      return await send(connection, await sealValues(connection.hello.publicKey, values))
    } catch (error) {
      if (!(error instanceof HushError && error.code === 'unopenable_value')) throw error
      connection.hello = await connection.client.call(routes.hello, {})
      return await send(connection, await sealValues(connection.hello.publicKey, values))
    }
  } finally {
    wipeValues(values)
  }
}
