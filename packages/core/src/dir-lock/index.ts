/**
 * One process at a time in a directory: the lock the server takes on its PGlite data directory
 * and the agent on its state directory, with takeover of locks whose holder is gone.
 */
export { holderAlive, lockDirectory, processAlive, processStarted } from './lock-directory.js';
export type { DirectoryLock, LockDirectoryOptions, LockHolder } from './lock-directory.js';
