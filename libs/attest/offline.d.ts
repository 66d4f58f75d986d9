export * from './dist/offline';
