import type { LightMyRequestResponse } from 'fastify';
import type { components, operations } from '../../openapi/wedid-api.js';

/** The contract's schemas, as the generated types declare them, so tests read bodies as integrators would. */
export type Schemas = components['schemas'];

type Responses<Operation extends keyof operations> = operations[Operation]['responses'];
type JsonContent<Response> = Response extends { content: infer Content } ? Content[keyof Content] : never;

/** The body the contract gives `operation` for `status` (JSON or problem+json). */
export type BodyOf<Operation extends keyof operations, Status extends keyof Responses<Operation>> = JsonContent<
  Responses<Operation>[Status]
>;

/**
 * A response's body typed from openapi/wedid-api.d.ts. It checks nothing at run time: the test
 * asserts the status, and the contract tests check bodies against the document.
 */
export function bodyOf<Operation extends keyof operations, Status extends keyof Responses<Operation>>(
  response: LightMyRequestResponse,
): BodyOf<Operation, Status> {
  return response.json();
}
