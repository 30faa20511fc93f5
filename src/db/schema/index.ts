export * from './actions.js';
export * from './api-keys.js';
export * from './audit.js';
export * from './feedback.js';
export * from './idempotency.js';
export * from './themes.js';
export * from './units.js';
