export * from './chatwoot.ts';
export * from './knowledge.ts';
export * from './pipeline.ts';
export * from './agent.ts';
