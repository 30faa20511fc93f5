/**
 * Enumerations that are part of the API contract: clients are written against these names, so they
 * change only with the contract.
 * The zod schemas and the database CHECK constraints are both built from these lists.
 */
export const unitTypes = ['trust', 'site', 'ward', 'service', 'team'] as const;
/** `reviewer`: a member of the lived-experience panel, who reads de-identified feedback and recommends. */
export const roles = ['admin', 'staff', 'intake', 'auditor', 'display', 'reviewer'] as const;
export const feedbackKinds = ['compliment', 'suggestion', 'concern', 'complaint', 'question'] as const;
export const channels = [
  'survey',
  'community_meeting',
  'complaints_process',
  'pals',
  'conversation',
  'advocate',
  'carer_forum',
  'suggestion_box',
  'online',
  'fft',
  'kiosk',
  'other',
] as const;
export const submitterRoles = [
  'patient',
  'carer',
  'family',
  'staff',
  'expert_by_experience',
  'advocate',
  'community_organisation',
  'not_stated',
] as const;
export const formats = ['written', 'verbal', 'survey', 'easy_read', 'voice', 'video', 'observed', 'other'] as const;
/** The answers to the FFT question "Overall, how was your experience of our service?". */
export const fftRatings = ['very_good', 'good', 'neither_good_nor_poor', 'poor', 'very_poor', 'dont_know'] as const;
/** How an FFT response was collected, as the monthly return to NHS England counts it. */
export const collectionModes = ['sms', 'kiosk', 'online', 'paper', 'telephone', 'face_to_face', 'other'] as const;
/**
 * The safeguarding screen: `flagged` when intake matched a phrase of the list (or staff flagged it by
 * hand), then `reviewed` or `cleared` by staff. A flagged item stays off every public surface.
 */
export const safeguardingStatuses = ['none', 'flagged', 'reviewed', 'cleared'] as const;
export const feedbackStatuses = ['received', 'in_review', 'planned', 'actioned', 'not_actioned'] as const;
export const closedStatuses = ['actioned', 'not_actioned'] as const;
export const actionStatuses = ['planned', 'in_progress', 'completed', 'cancelled'] as const;
/** A panel recommendation: staff accept it (with actions) or decline it; done when every action is completed. */
export const recommendationStatuses = ['proposed', 'accepted', 'declined', 'done'] as const;
export const coproductionLevels = ['none', 'informing', 'consulting', 'involving', 'co_producing'] as const;
export const reasonCodes = [
  'already_in_place',
  'not_feasible',
  'outside_our_control',
  'clinical_safety',
  'conflicts_with_other_feedback',
  'no_resources',
  'duplicate',
  'referred_elsewhere',
  'other',
] as const;

export type UnitType = (typeof unitTypes)[number];
export type Role = (typeof roles)[number];
export type FeedbackStatus = (typeof feedbackStatuses)[number];
export type SafeguardingStatus = (typeof safeguardingStatuses)[number];
export type ActionStatus = (typeof actionStatuses)[number];
export type RecommendationStatus = (typeof recommendationStatuses)[number];

/** SQL list literal for a CHECK constraint: ('a', 'b'). Values are our own constants, never user input. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((value) => `'${value}'`).join(', ')})`;
}

/** What the change feed and webhooks announce; payloads carry ids and public-safe fields only. */
export const eventTypes = [
  'feedback.received',
  'feedback.updated',
  'feedback.closed',
  'feedback.reopened',
  'feedback.follow_up',
  'feedback.safeguarding',
  'action.created',
  'action.updated',
  'action.completed',
  'action.cancelled',
  'board.updated',
  'recommendation.created',
  'recommendation.accepted',
  'recommendation.declined',
  'recommendation.done',
] as const;
/** How the person asked to be answered (DESIGN section 5, "Replies to the person"). */
export const replyChannels = ['email', 'sms', 'letter', 'in_person'] as const;
/** Needs after the NHS Accessible Information Standard. */
export const communicationNeeds = [
  'easy_read',
  'large_print',
  'bsl',
  'interpreter',
  'braille',
  'audio',
  'other',
] as const;
export const replyKinds = ['acknowledgement', 'answer'] as const;
export const replyStatuses = ['queued', 'sent', 'handed_over', 'failed', 'undeliverable', 'cancelled'] as const;
/** "Did this answer you?" */
export const followUpAnswers = ['yes', 'partly', 'no'] as const;
export const webhookStatuses = ['enabled', 'disabled'] as const;
/** Why a subscription was disabled: the receiver answered 410, a day of failures, or its creator key was revoked. */
export const webhookDisabledReasons = ['gone', 'failing', 'creator_revoked'] as const;
/** Why a key was revoked: on purpose by an admin, or by start-up for an ADMIN_API_KEY no longer configured. */
export const keyRevocationReasons = ['admin', 'bootstrap'] as const;
export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;

export type ReplyChannel = (typeof replyChannels)[number];
export type ReplyStatus = (typeof replyStatuses)[number];
export type FollowUpAnswer = (typeof followUpAnswers)[number];
export type EventType = (typeof eventTypes)[number];
export type DeliveryStatus = (typeof deliveryStatuses)[number];
