import { randomUUID } from 'node:crypto';

export interface FeedbackBodies {
  unitIds: string[];
  themes: string[];
  /** Items per request: absent for POST /v1/feedback, the batch size for /v1/feedback/batch. */
  batchSize?: number;
}

const kinds = ['compliment', 'suggestion', 'concern', 'complaint', 'question'];
const channels = ['survey', 'fft', 'kiosk', 'online', 'conversation', 'pals'];
const pickOne = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)]!;

/** A CreateFeedback body as a survey export or kiosk would send it. */
export function feedbackBody(bodies: FeedbackBodies): Record<string, unknown> {
  const themeCount = Math.random() < 0.55 ? 1 : 2;
  const themes = [...new Set(Array.from({ length: themeCount }, () => pickOne(bodies.themes)))];
  return {
    unitId: pickOne(bodies.unitIds),
    text: `Bench feedback ${randomUUID()}: the evening meals were cold and the day room was noisy.`,
    kind: pickOne(kinds),
    channel: pickOne(channels),
    submitterRole: 'patient',
    themes,
    publishConsent: Math.random() < 0.6,
    ...(Math.random() < 0.5 ? { externalRef: { system: 'bench-survey', id: randomUUID() } } : {}),
  };
}
