/**
 * Input rules that hold for every route, before schema validation: all text must be storable and
 * must not hold bidi controls (domain/text.ts) — body, query string, path parameters and headers alike.
 */
import type { FastifyRequest } from 'fastify';
import { validationError } from '../domain/errors';
import { BIDI_CONTROLS_LABEL, textFaults } from '../domain/text';

export async function rejectUnstorableText(request: FastifyRequest): Promise<void> {
  const parts = { body: Buffer.isBuffer(request.body) ? undefined : request.body, query: request.query, params: request.params, headers: request.headers };
  // One walk of each part for both rules; text Postgres cannot store is refused first, wherever it is.
  const faults = Object.entries(parts).map(([part, value]) => ({ part, ...textFaults(value) }));
  const unstorable = faults.find((f) => f.unstorable !== null);
  if (unstorable) {
    const { part, unstorable: path } = unstorable;
    throw validationError('invalid_text', `${part} ${path} is not well-formed text (lone UTF-16 surrogates and NUL characters are refused)`, { part, path });
  }
  const withBidi = faults.find((f) => f.bidi !== null);
  if (withBidi) {
    const { part, bidi } = withBidi;
    throw validationError(
      'invalid_text',
      `${part} ${bidi!.path} contains the bidirectional control character ${bidi!.character}, which is refused (${BIDI_CONTROLS_LABEL} reorder how text is displayed)`,
      { part, ...bidi },
    );
  }
}
