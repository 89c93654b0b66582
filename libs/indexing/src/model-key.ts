/** The embedding's AAD names its model: `<model set>@<version>` (rotation and search use the same). */
export const modelKey = (modelSet: string, modelVersion: string): string => `${modelSet}@${modelVersion}`;
