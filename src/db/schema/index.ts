export * from './chatwoot.ts';
