export * from './chatwoot.ts';
export * from './knowledge.ts';
