import { Client, Connection, isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { Config } from './config';

export async function createTemporalClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

/** A client that connects on its first call: for processes (the admin CLI) that rarely or never need Temporal. */
export function lazyTemporalClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Client {
  return new Client({ connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS }), namespace: config.TEMPORAL_NAMESPACE });
}

/** gRPC UNAVAILABLE / DEADLINE_EXCEEDED: the Temporal server cannot answer now (not a rejected request). */
const UNAVAILABLE_GRPC_CODES = new Set([4, 14]);

export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e) && UNAVAILABLE_GRPC_CODES.has(e.code)) return true;
    if (e instanceof ServiceError && /UNAVAILABLE|DEADLINE_EXCEEDED|connect/i.test(e.message)) return true;
  }
  return false;
}
