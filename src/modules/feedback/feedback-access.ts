import { forbidden } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { principalSees } from '../units/units.service.js';
import type { ScopedFeedbackRow } from './feedback.repository.js';
import type { Feedback, FeedbackView } from './feedback.schemas.js';

/** Contact details are for the people who may reply: staff and admin. Auditors never see them. */
export const mayReadContact = (principal: Principal): boolean =>
  principal.role === 'staff' || principal.role === 'admin';

/**
 * Private text is for triage (staff, admin) and oversight (auditor). An intake key (a kiosk, a
 * survey tool) only writes it: a leaked intake key must not become a way to read what people said.
 */
const textReaders: readonly Principal['role'][] = ['staff', 'auditor', 'admin'];
export const mayReadText = (principal: Principal): boolean => textReaders.includes(principal.role);

/**
 * The item as the principal's role may see it: intake keys get a receipt (id, reference, unit,
 * status, dates), never the words, the summary, the classification or the externalRef.
 */
export function viewFor(principal: Principal, item: Feedback): FeedbackView {
  if (principal.role !== 'intake') return item;
  const { id, reference, unitId, status, receivedAt, dueAt, closedAt, version } = item;
  return { id, reference, unitId, status, receivedAt, dueAt, closedAt, version };
}

/** Refuses what only a reader of private text may ask for: `include=text` and a `q` search over it. */
export function assertMayReadText(principal: Principal, what: string): void {
  if (!mayReadText(principal)) {
    throw forbidden(`The ${principal.role} role may not ${what}; roles that may: ${textReaders.join(', ')}`);
  }
}

/** True when the key may see this item: its unit scope, and for intake keys only what they created. */
export function principalSeesItem(
  principal: Principal,
  row: Pick<ScopedFeedbackRow, 'unitPath' | 'createdByKeyId'>,
): boolean {
  if (!principalSees(principal, { path: row.unitPath })) return false;
  return principal.role !== 'intake' || row.createdByKeyId === principal.keyId;
}
