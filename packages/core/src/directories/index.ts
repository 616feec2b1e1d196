/**
 * Making directories: `mkdir -p` that fails instead of looping where Node's recursive mkdir
 * never returns (a parent under /proc, or behind a dangling symlink).
 */
export { makeDirectories, makeDirectoriesAsync } from './make-directories.js';
export { makeWritableDirectory } from './make-writable-directory.js';
