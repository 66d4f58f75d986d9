export * from './types';
export { PolicyError, isPolicyError } from './errors';
