import type { TestApp } from './app.js';
import { type BodyOf, bodyOf, type Schemas } from './bodies.js';

/**
 * Records one feedback item through the API (as `key`, else the admin key) and returns the 201 body:
 * the staff view, or a receipt for an intake key.
 */
export async function recordFeedback(
  api: TestApp,
  unitId: string,
  over: Record<string, unknown> = {},
  key?: string,
): Promise<BodyOf<'createFeedback', 201>> {
  const response = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    payload: { unitId, text: 'Private words', ...over },
    ...(key ? { key } : {}),
  });
  if (response.statusCode !== 201) throw new Error(`feedback: ${response.statusCode} ${response.body}`);
  return bodyOf<'createFeedback', 201>(response);
}

/** Small wrappers for the feedback-loop tests: each returns the parsed body and fails loudly on surprise. */
export function loop(api: TestApp, key?: string) {
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = {}) =>
    api.request({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), key, headers });
  return {
    send,
    feedback: (unitId: string, extra: Record<string, unknown> = {}) => recordFeedback(api, unitId, extra, key),
    async action(body: Record<string, unknown>) {
      const response = await send('POST', '/v1/actions', { title: 'Sunday film club', ...body });
      if (response.statusCode !== 201) throw new Error(`action: ${response.statusCode} ${response.body}`);
      return bodyOf<'createAction', 201>(response);
    },
    /** The staff view of an item (the loop's keys are never intake keys). */
    async item(id: string) {
      const response = await send('GET', `/v1/feedback/${id}`);
      if (response.statusCode !== 200) throw new Error(`item: ${response.statusCode} ${response.body}`);
      return bodyOf<'getFeedback', 200>(response) as Schemas['Feedback'];
    },
    async status(id: string): Promise<string> {
      return (await this.item(id)).status;
    },
    link: (actionId: string, feedbackId: string) => send('POST', `/v1/actions/${actionId}/feedback/${feedbackId}`),
    unlink: (actionId: string, feedbackId: string) => send('DELETE', `/v1/actions/${actionId}/feedback/${feedbackId}`),
    complete: (actionId: string, outcome = 'We started a Sunday film club') =>
      send('POST', `/v1/actions/${actionId}/complete`, { outcome }),
    /** An action answering `feedbackIds`, completed at once: the items close as actioned. */
    async closeWithAction(unitId: string, feedbackIds: string[]) {
      const action = await this.action({ unitId, feedbackIds });
      const completed = await this.complete(action.id);
      if (completed.statusCode !== 200) throw new Error(`complete: ${completed.statusCode} ${completed.body}`);
      return action;
    },
    cancel: (actionId: string, reason = 'The room is being refurbished') =>
      send('POST', `/v1/actions/${actionId}/cancel`, { reason }),
    decide: (feedbackId: string, body: Record<string, unknown> = {}) =>
      send('POST', `/v1/feedback/${feedbackId}/decision`, {
        reasonCode: 'not_feasible',
        explanation: 'The ward has no space for a second lounge',
        ...body,
      }),
    reopen: (feedbackId: string, reason = 'The person came back with more detail') =>
      send('POST', `/v1/feedback/${feedbackId}/reopen`, { reason }),
  };
}

/** The database error behind a refused statement: its message and constraint, whichever driver. */
export async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const cause = (error as { cause?: { message?: string; constraint?: string } }).cause;
    return `${cause?.constraint ?? ''} ${cause?.message ?? (error as Error).message}`;
  }
  return 'accepted';
}
