// A scan parser thread that fails before answering anything (scan-threads.test.ts).
throw new Error('this thread cannot start');
