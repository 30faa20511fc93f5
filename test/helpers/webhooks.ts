import type { TestApp } from './app.js';
import { bodyOf } from './bodies.js';

/** Subscribes through the API (as the admin key) and returns the 201 body, with its secret. */
export async function subscribe(api: TestApp, body: Record<string, unknown>) {
  const response = await api.request({ method: 'POST', url: '/v1/webhooks', payload: body });
  if (response.statusCode !== 201) throw new Error(`subscribe: ${response.statusCode} ${response.body}`);
  return bodyOf<'createWebhook', 201>(response);
}

/** A subscription's deliveries, newest first. */
export async function deliveries(api: TestApp, webhookId: string) {
  const response = await api.request({ method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries?limit=200` });
  return bodyOf<'listWebhookDeliveries', 200>(response).items;
}

/** Polls until `probe` answers something truthy (the webhook worker runs on its own time); fails after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ms = 20_000,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
