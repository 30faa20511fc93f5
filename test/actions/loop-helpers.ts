import type { TestApp } from '../helpers/app.js';

/** Small wrappers for the feedback-loop tests: each returns the parsed body and fails loudly on surprise. */
export function loop(api: TestApp, key?: string) {
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = {}) =>
    api.request({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), key, headers });
  return {
    send,
    async feedback(unitId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
      const response = await send('POST', '/v1/feedback', { unitId, text: 'Private words', ...extra });
      if (response.statusCode !== 201) throw new Error(`feedback: ${response.statusCode} ${response.body}`);
      return response.json();
    },
    async action(body: Record<string, unknown>): Promise<{ id: string; version: number; feedbackIds: string[] }> {
      const response = await send('POST', '/v1/actions', { title: 'Sunday film club', ...body });
      if (response.statusCode !== 201) throw new Error(`action: ${response.statusCode} ${response.body}`);
      return response.json();
    },
    async item(id: string) {
      const response = await send('GET', `/v1/feedback/${id}`);
      if (response.statusCode !== 200) throw new Error(`item: ${response.statusCode} ${response.body}`);
      return response.json() as { status: string; closedAt: string | null; actionIds: string[]; version: number } & {
        decision: null | { reasonCode: string; explanation: string };
      };
    },
    async status(id: string): Promise<string> {
      return (await this.item(id)).status;
    },
    link: (actionId: string, feedbackId: string) => send('POST', `/v1/actions/${actionId}/feedback/${feedbackId}`),
    unlink: (actionId: string, feedbackId: string) => send('DELETE', `/v1/actions/${actionId}/feedback/${feedbackId}`),
    complete: (actionId: string, outcome = 'We started a Sunday film club') =>
      send('POST', `/v1/actions/${actionId}/complete`, { outcome }),
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
