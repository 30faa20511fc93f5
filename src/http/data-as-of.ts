import type { FastifyReply } from 'fastify';
import { z } from 'zod';

const meaning =
  'How fresh the data is: every change committed before this instant is in it. From the read replica, the last change it has replayed (its own clock when it has replayed all it received); from the primary, the moment the read began.';

/** The `dataAsOf` field of a JSON report. */
export const dataAsOfSchema = z.iso.datetime().describe(meaning);

/** The `Data-As-Of` header of an answer that may come from the read replica, as the OpenAPI document declares it. */
export const dataAsOfHeader = {
  'Data-As-Of': { type: 'string', format: 'date-time', description: `${meaning} ISO 8601, as \`dataAsOf\`.` },
} as const;

/** Says in `Data-As-Of` how fresh the answer is. */
export function sendsDataAsOf(reply: FastifyReply, dataAsOf: Date | string): FastifyReply {
  return reply.header('data-as-of', typeof dataAsOf === 'string' ? dataAsOf : dataAsOf.toISOString());
}
