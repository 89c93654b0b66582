export * from './ids';
export * from './roles';
export * from './app-error';
export * from './queue';
export * from './sealed-data-set';
