export * from './test-env';
export { testConfig } from './test-config';
export { captureLogs } from './log-capture';
export { installTestModels } from './test-models';
