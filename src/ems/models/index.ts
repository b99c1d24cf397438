export * from './common.js';
export * from './issues.js';
export * from './operations.js';
export * from './release.js';
export * from './label.js';
export * from './cluster.js';
export * from './job.js';
export * from './credential.js';
