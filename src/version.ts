/** The tool's version, recorded in every manifest. A test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
/** Where bugs are reported (package.json `bugs.url`; a test keeps them equal). */
export const ISSUES_URL = 'https://github.com/restorable/restorable/issues';
